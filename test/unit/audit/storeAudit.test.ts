import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { importHar } from '../../../src/core/capture/harImport';
import { auditSession } from '../../../src/core/audit/auditSession';
import type { AuditDelta } from '../../../src/core/audit/findingSlots';
import { StoreAudit } from '../../../src/core/audit/storeAudit';
import { SessionStore } from '../../../src/core/session/sessionStore';
import type { HeaderField } from '../../../src/core/session/types';
import type { Finding } from '../../../src/core/findings';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const OPTIONS = { now: START + 3600_000, checkWeakSecret: false } as const;
const SID_A = 'k3Jd9sLq2mXv8NpR4tYw7ZbC1eFgHiJ0';
const SID_B = 'Q7wE2rT9yU4iO1pA6sD3fG8hJ5kL0zXc';

function begin(store: SessionStore, at: number, method: string, path: string, cookie?: string): number {
  const headers: HeaderField[] = cookie ? [{ name: 'Cookie', value: cookie }] : [];
  const body = method === 'POST' ? Buffer.from('user=a&password=b') : undefined;
  if (body) headers.push({ name: 'Content-Type', value: 'application/x-www-form-urlencoded' });
  const id = store.beginExchange({ source: 'proxy', method, url: `http://localhost:3000${path}`, headers, startedAt: at });
  if (body) store.addRequestBody(id, { bytes: body, wireBytes: body.length, truncated: false, decoded: true });
  return id;
}

function finish(store: SessionStore, id: number, at: number, setCookies: string[] = []): void {
  store.addResponse(id, { status: 200, headers: setCookies.map((value) => ({ name: 'Set-Cookie', value })), receivedAt: at });
  store.finishExchange(id, { state: 'complete', endedAt: at });
}

function brief(list: readonly Finding[]): string[] {
  return list.map((f) => `${f.ruleId} ${f.subject} #${f.evidence?.exchangeId} | ${f.message}`);
}

/** The whole-session audit of the finished exchanges the store holds. */
function reference(store: SessionStore): string[] {
  const snap = store.snapshot();
  return brief(auditSession({ ...snap, exchanges: snap.exchanges.filter((ex) => ex.state !== 'pending') }, {}, OPTIONS));
}

/** Replays the deltas a listener received onto a list. */
function follow(audit: StoreAudit): { list: Set<Finding>; deltas: AuditDelta[] } {
  const state = { list: new Set<Finding>(audit.findings()), deltas: [] as AuditDelta[] };
  audit.onDidChange((d) => {
    state.deltas.push(d);
    for (const f of d.removed) assert.ok(state.list.delete(f), 'a removed finding was in the list');
    for (const f of d.added) state.list.add(f);
  });
  return state;
}

describe('StoreAudit: the incremental audit fed by a live SessionStore', () => {
  let store: SessionStore;
  let audit: StoreAudit;
  let clock = START;
  beforeEach(() => {
    clock = START;
    store = new SessionStore({ throttleMs: 0, now: () => clock });
  });
  afterEach(() => {
    audit?.dispose();
    store.dispose();
  });

  it('audits an exchange when it finishes, waiting for one that started earlier, and reports every change', () => {
    audit = new StoreAudit(store, {}, { ...OPTIONS, clock: () => clock });
    const seen = follow(audit);
    // The login is still pending when the next request (which keeps the same id) finishes.
    const login = begin(store, START, 'POST', '/login', `sid=${SID_A}`);
    const next = begin(store, START + 10, 'GET', '/account', `sid=${SID_A}`);
    finish(store, next, START + 20, ['theme=dark; SameSite=Sometimes']);
    store.flush();
    assert.deepEqual(brief(audit.findings()), [], 'the later exchange waits for the login');
    finish(store, login, START + 30);
    store.flush();
    const fixation = audit.findings().filter((f) => f.ruleId === 'session-fixation');
    assert.equal(fixation.length, 1);
    assert.match(fixation[0].message, /the next request still sent it/);
    assert.ok(audit.findings().some((f) => f.ruleId === 'cookie-missing-samesite' && f.evidence?.exchangeId === next));
    assert.deepEqual(brief(audit.findings()), reference(store));
    assert.deepEqual(brief([...seen.list]).sort(), brief(audit.findings()).sort());
  });

  it('stops waiting for a pending exchange after holdMs', async () => {
    audit = new StoreAudit(store, {}, { ...OPTIONS, clock: () => clock, holdMs: 50 });
    const changed = new Promise<AuditDelta>((resolve) => audit.onDidChange(resolve));
    begin(store, START, 'GET', '/events');
    const login = begin(store, START + 10, 'POST', '/login', `sid=${SID_A}`);
    finish(store, login, START + 20, [`sid=${SID_A}; Path=/`]);
    store.flush();
    assert.deepEqual(audit.findings(), []);
    clock = START + 1000;
    // The audit's own timer re-checks: no store event is needed.
    const delta = await changed;
    assert.ok(delta.added.length > 0);
    assert.deepEqual(brief(audit.findings()), reference(store));
  });

  it('clears with the store, and keeps the findings of evicted exchanges', () => {
    store.dispose();
    store = new SessionStore({ throttleMs: 0, capacity: 2, now: () => clock });
    audit = new StoreAudit(store, {}, OPTIONS);
    const seen = follow(audit);
    finish(store, begin(store, START, 'GET', '/', ''), START, ['sid=1234; Path=/']);
    store.flush();
    const first = brief(audit.findings());
    assert.ok(first.some((f) => f.startsWith('session-id-low-entropy sid #1')));
    for (let i = 1; i <= 3; i++) finish(store, begin(store, START + i * 1000, 'GET', '/', `sid=${SID_B}`), START + i * 1000);
    store.flush();
    assert.equal(store.snapshot().exchanges.length, 2);
    assert.ok(brief(audit.findings()).some((f) => f.startsWith('session-id-low-entropy sid #1')), 'the evicted exchange keeps its finding');
    store.clear();
    store.flush();
    assert.deepEqual(audit.findings(), []);
    assert.equal(seen.list.size, 0);
  });

  it('audits what the store already holds when created', () => {
    finish(store, begin(store, START, 'POST', '/login', `sid=${SID_A}`), START + 5);
    finish(store, begin(store, START + 10, 'GET', '/', `sid=${SID_A}`), START + 15);
    audit = new StoreAudit(store, {}, OPTIONS);
    assert.deepEqual(brief(audit.findings()), reference(store));
    assert.ok(audit.findings().some((f) => f.ruleId === 'session-fixation'));
  });
});

describe('session-lens audit: findings from the incremental audit', () => {
  const dir = join(__dirname, '../../fixtures/har');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.har'))) {
    it(`${file}: the same findings, in the same order, as the whole-session audit`, async () => {
      let stdout = '';
      const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
      const code = await runCli(['audit', join(dir, file), '--format', 'json'], { stdout: sink((s) => { stdout += s; }), stderr: sink(() => {}), stdin: Readable.from(['']), cwd: dir });
      assert.equal(code, 0);
      const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
      importHar(store, readFileSync(join(dir, file), 'utf8'));
      // Expiry messages count from now: compare what does not move with the clock.
      const steady = (list: readonly Finding[]) => list.map((f) => `${f.ruleId} ${f.subject} #${f.evidence?.exchangeId} ${f.evidence?.header} ${f.ruleId === 'jwt-expired' ? '' : f.message}`);
      const expected = steady(auditSession(store));
      store.dispose();
      assert.deepEqual(steady((JSON.parse(stdout) as { findings: Finding[] }).findings), expected);
    });
  }
});
