import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarJournal, REDACTED, SessionStore, exportHar, importHar, journalPathOf, parseHar, recoverUnterminatedHar } from '../../../src/core/capture';
import { writeSecretFileAtomic } from '../../../src/core/files/atomicFile';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function feed(store: SessionStore, i: number, extra: { setCookie?: string; body?: string } = {}): number {
  const id = store.beginExchange({ source: 'proxy', method: 'GET', url: `http://localhost:3000/n/${i}`, headers: [{ name: 'Cookie', value: 'sid=made-up-session-0001' }], startedAt: T0 + i });
  store.addResponse(id, { status: 200, headers: [{ name: 'Content-Type', value: 'text/plain' }, ...(extra.setCookie ? [{ name: 'Set-Cookie', value: extra.setCookie }] : [])], receivedAt: T0 + i });
  store.finishExchange(id, { state: 'complete', endedAt: T0 + i, ...(extra.body ? { responseBody: { bytes: Buffer.from(extra.body), wireBytes: extra.body.length, truncated: false } } : {}) });
  return id;
}

interface Har { log: { entries: { request: { url: string; headers: { name: string; value: string }[] }; response: { content: { text?: string } }; _sessionLens: { state: string } }[]; comment?: string } }

describe('HAR journal', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'session-lens-journal-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('journals every exchange of a store with a small ring, closes into a HAR and replaces the target whole', async () => {
    const target = join(dir, 'out.har');
    writeFileSync(target, 'old');
    chmodSync(target, 0o644);
    const store = new SessionStore({ capacity: 10 });
    const journal = await HarJournal.create(target, { redact: false });
    assert.equal(statSync(journalPathOf(target)).mode & 0o777, 0o600, '0600 from creation');
    journal.attach(store);
    for (let i = 0; i < 100; i++) feed(store, i);
    const pending = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/stream', headers: [], startedAt: T0 });
    assert.equal(readFileSync(target, 'utf8'), 'old', 'the target is untouched until the end');
    await journal.close({ unfinished: store.unfinishedExchanges(), comment: 'a note' });
    const har = JSON.parse(readFileSync(target, 'utf8')) as Har;
    assert.equal(har.log.entries.length, 101);
    assert.equal(har.log.entries[99].request.url, 'http://localhost:3000/n/99');
    assert.equal(har.log.entries[100]._sessionLens.state, 'pending', `exchange ${pending} as it stood`);
    assert.equal(har.log.comment, 'a note');
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['out.har'], 'no journal left');
    assert.equal(importHar(new SessionStore(), readFileSync(target, 'utf8')).imported, 101);
  });

  it('redacts journaled entries with the secrets known when each was written', async () => {
    const target = join(dir, 'redacted.har');
    const store = new SessionStore();
    const journal = await HarJournal.create(target, { redact: true });
    journal.attach(store);
    feed(store, 0, { setCookie: 'token=made-up-long-cookie-value-42; Path=/' });
    feed(store, 1, { body: '{"echo":"made-up-long-cookie-value-42","sid":"made-up-session-0001"}' });
    await journal.close();
    const text = readFileSync(target, 'utf8');
    assert.ok(!text.includes('made-up-long-cookie-value-42'));
    assert.ok(!text.includes('made-up-session-0001'));
    const har = JSON.parse(text) as Har;
    assert.equal(har.log.entries[1].response.content.text, `{"echo":"${REDACTED}","sid":"${REDACTED}"}`);
  });

  it('closes synchronously with writes still in flight (a second Ctrl+C), and nothing is lost', async () => {
    const target = join(dir, 'now.har');
    const journal = await HarJournal.create(target, { redact: false });
    const store = new SessionStore();
    journal.attach(store);
    // Bodies big enough that the writes are still queued or in flight when closeSync runs.
    const body = 'x'.repeat(16 * 1024 - 1);
    for (let i = 0; i < 300; i++) feed(store, i, { body });
    journal.closeSync();
    const har = JSON.parse(readFileSync(target, 'utf8')) as Har;
    assert.equal(har.log.entries.length, 300);
    assert.ok(har.log.entries.every((e) => e.response.content.text === body));
  });

  it('finishes an asynchronous close under way when closeSync comes', async () => {
    const target = join(dir, 'both.har');
    const journal = await HarJournal.create(target, { redact: false });
    const store = new SessionStore();
    journal.attach(store);
    for (let i = 0; i < 200; i++) feed(store, i, { body: 'y'.repeat(8000) });
    const closing = journal.close();
    journal.closeSync();
    assert.equal((JSON.parse(readFileSync(target, 'utf8')) as Har).log.entries.length, 200);
    await closing.catch(() => undefined);
    assert.equal((JSON.parse(readFileSync(target, 'utf8')) as Har).log.entries.length, 200);
  });

  it('a journal never closed (kill -9) is read back: complete entry lines, a partial last line and a hole are dropped', async () => {
    const target = join(dir, 'killed.har');
    const journal = await HarJournal.create(target, { redact: false });
    const store = new SessionStore();
    journal.attach(store);
    for (let i = 0; i < 5; i++) feed(store, i);
    const closed = journal.close();
    await closed;
    const whole = readFileSync(target, 'utf8');
    const open = whole.slice(0, whole.lastIndexOf(']'));
    for (const [label, text, entries] of [
      ['cut after a line', open, 5],
      ['cut inside the last entry', open.slice(0, open.length - 40), 4],
      ['a hole of zeros where a write never landed', `${open.slice(0, open.length - 300)}${'\u0000'.repeat(300)}`, 4],
    ] as [string, string, number][]) {
      assert.throws(() => JSON.parse(text), label);
      assert.equal(recoverUnterminatedHar(text)?.entries, entries, label);
      const log = parseHar(text);
      assert.equal((log.entries as unknown[]).length, entries, label);
      const result = importHar(new SessionStore(), text);
      assert.equal(result.imported, entries, label);
      assert.ok(result.warnings.some((w) => w.startsWith('the HAR was never closed')), label);
    }
    assert.equal(recoverUnterminatedHar('{"log":{"version":"1.2","entries":[{'), undefined, 'only our own journals are repaired');
    assert.throws(() => parseHar('{"log": {"entries": [{"request"'), /not JSON/);
  });
});

describe('HAR export of a session that dropped exchanges', () => {
  it('says so in log.comment, and import reports it', () => {
    const store = new SessionStore({ capacity: 10 });
    for (let i = 0; i < 25; i++) feed(store, i);
    const har = exportHar(store.snapshot(), { redact: false });
    assert.equal(har.log.entries.length, 10);
    assert.match(har.log.comment ?? '', /kept the last 10 exchanges in memory and had already dropped 15 older ones/);
    const result = importHar(new SessionStore(), JSON.stringify(har));
    assert.ok(result.warnings.some((w) => /^the HAR says: Incomplete/.test(w)));
    assert.equal(exportHar(new SessionStore().snapshot()).log.comment, undefined);
  });

  it('finds each of thousands of secrets wherever it appears, longest first (prefix index)', () => {
    const store = new SessionStore({ maxHistoryEvents: 100_000 });
    const id = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/', headers: [], startedAt: T0 });
    store.addResponse(id, { status: 200, headers: Array.from({ length: 3000 }, (_, i) => ({ name: 'Set-Cookie', value: `n${i}=secret-value-${String(i).padStart(6, '0')}; Path=/; Domain=localhost` })), receivedAt: T0 });
    store.finishExchange(id, { state: 'complete', endedAt: T0, responseBody: { bytes: Buffer.from('prefix secret-value-000123 and secret-value-002999!'), wireBytes: 52, truncated: false } });
    const har = exportHar(store.snapshot());
    const content = (har.log.entries[0] as { response: { content: { text: string } } }).response.content.text;
    assert.equal(content, `prefix ${REDACTED} and ${REDACTED}!`);
  });
});

describe('writeSecretFileAtomic', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'session-lens-atomic-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a 0644 file with a 0600 one and leaves no temporary file', async () => {
    const target = join(dir, 'x.har');
    writeFileSync(target, 'old');
    chmodSync(target, 0o644);
    await writeSecretFileAtomic(target, 'new');
    assert.equal(readFileSync(target, 'utf8'), 'new');
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['x.har']);
  });

  it('leaves the old content in place and cleans up when the rename fails', async () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    await assert.rejects(writeSecretFileAtomic(target, 'new'));
    assert.equal(readFileSync(join(target, 'inside'), 'utf8'), 'keep');
    assert.deepEqual(readdirSync(dir), ['taken'], 'the temporary file was removed');
  });
});
