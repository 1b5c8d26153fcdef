import * as assert from 'node:assert/strict';
import { SessionStore } from '../../../src/core/session';
import type { Finding } from '../../../src/core/findings';
import { exchangeDetail, sessionDiff } from '../../../src/extension/exchangeDetail';
import { SessionViewDeltas } from '../../../src/extension/sessionViewDeltas';
import { cookieRows, exchangeRows, findingRows, tokenRows } from '../../../src/extension/sessionViewState';
import type { SessionViewState, ToWebview } from '../../../src/shared/protocol';
import { SessionModel } from '../../../src/webview/timelineModel';

const T0 = Date.UTC(2026, 10, 22, 12);
const SID1 = 's%3Afirst-secret-session-0001.sig';
const SID2 = 's%3Asecond-secret-session-0002.sig';
const JWT = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.c2lnbmF0dXJlLXNlY3JldA`;

interface Step {
  method?: string;
  path: string;
  requestHeaders?: { name: string; value: string }[];
  requestBody?: { type: string; text: string };
  status?: number;
  responseHeaders?: { name: string; value: string }[];
  responseBody?: { type: string; text: string };
}

/** Records exchanges into a real store, as the proxy does. */
function record(store: SessionStore, steps: Step[]): number[] {
  return steps.map((s, i) => {
    const t = T0 + i * 1000;
    const reqHeaders = [...(s.requestHeaders ?? []), ...(s.requestBody ? [{ name: 'Content-Type', value: s.requestBody.type }] : [])];
    const id = store.beginExchange({ source: 'proxy', method: s.method ?? 'GET', url: `http://localhost:3000${s.path}`, path: s.path, headers: reqHeaders, startedAt: t });
    if (s.requestBody) store.addRequestBody(id, { bytes: Buffer.from(s.requestBody.text), wireBytes: s.requestBody.text.length, truncated: false });
    const resHeaders = [...(s.responseHeaders ?? []), ...(s.responseBody ? [{ name: 'Content-Type', value: s.responseBody.type }] : [])];
    store.addResponse(id, { status: s.status ?? 200, headers: resHeaders, receivedAt: t + 5 });
    const body = s.responseBody ? { responseBody: { bytes: Buffer.from(s.responseBody.text), wireBytes: s.responseBody.text.length, truncated: false } } : {};
    store.finishExchange(id, { state: 'complete', endedAt: t + 12, ...body });
    store.flush();
    return id;
  });
}

function loginSession(): { store: SessionStore; ids: number[] } {
  const store = new SessionStore({ throttleMs: 0 });
  const ids = record(store, [
    { path: '/login', responseHeaders: [{ name: 'Set-Cookie', value: `connect.sid=${SID1}; Path=/; HttpOnly` }] },
    {
      method: 'POST', path: '/login', status: 302,
      requestHeaders: [{ name: 'Cookie', value: `connect.sid=${SID1}` }],
      requestBody: { type: 'application/x-www-form-urlencoded', text: 'user=alice&password=hunter2-secret' },
      responseHeaders: [{ name: 'Set-Cookie', value: `connect.sid=${SID2}; Path=/; HttpOnly; Secure` }, { name: 'Set-Cookie', value: 'theme=dark; Path=/' }, { name: 'Location', value: '/profile' }],
    },
    {
      path: '/api/me', requestHeaders: [{ name: 'Cookie', value: `connect.sid=${SID2}; theme=dark` }, { name: 'Authorization', value: `Bearer ${JWT}` }],
      responseBody: { type: 'application/json', text: `{"user":"alice","token":"${JWT}","nested":{"password":"pw-123456"}}` },
    },
    { method: 'POST', path: '/logout', requestHeaders: [{ name: 'Cookie', value: `connect.sid=${SID2}` }], responseHeaders: [{ name: 'Set-Cookie', value: 'theme=; Path=/; Max-Age=0' }] },
  ]);
  return { store, ids };
}

const finding = (ruleId: string, exchangeId?: number): Finding => ({
  ruleId, severity: 'warning', subject: 'connect.sid', message: `${ruleId} message`, docs: `https://example.test/${ruleId}`,
  ...(exchangeId !== undefined ? { evidence: { exchangeId } } : {}),
} as Finding);

function viewState(store: SessionStore, findings: Finding[], masked = true): SessionViewState {
  const snap = store.snapshot();
  return {
    capture: { running: true, exchanges: snap.exchanges.length },
    exchanges: exchangeRows(snap, findings),
    cookies: cookieRows(snap, masked, () => true),
    tokens: tokenRows(snap, masked),
    findings: findingRows(findings),
    masked,
    actions: [],
    now: T0,
    expiringSoonMs: 300_000,
  };
}

describe('Session timeline rows (extension adapter, plain data)', () => {
  it('badges say what each exchange did to the session', () => {
    const { store, ids } = loginSession();
    const rows = exchangeRows(store.snapshot(), [finding('session-fixation', ids[1]), finding('cookie-no-secure', ids[1]), finding('global')]);
    const [getLogin, postLogin, me, logout] = rows;
    assert.deepEqual(rows.map((r) => `${r.method} ${r.path} ${r.status} ${r.statusClass}`), ['GET /login 200 2xx', 'POST /login 302 3xx', 'GET /api/me 200 2xx', 'POST /logout 200 2xx']);
    assert.equal(getLogin!.cookiesCreated, 1);
    assert.equal(getLogin!.sessionChanged, true);
    assert.deepEqual([postLogin!.cookiesSent, postLogin!.cookiesCreated, postLogin!.cookiesChanged, postLogin!.findings, postLogin!.sessionChanged], [1, 1, 1, 2, true]);
    assert.equal(postLogin!.durationMs, 12);
    assert.ok(postLogin!.headerNames.includes('location'));
    assert.deepEqual([...postLogin!.cookieNames].sort(), ['connect.sid', 'theme']);
    assert.equal(me!.sessionChanged, true, 'the bearer token was first seen here');
    assert.ok(me!.tokensIssued >= 1);
    assert.ok(me!.size! > 0, 'the response size');
    assert.equal(logout!.cookiesDeleted, 1);
    assert.ok(!JSON.stringify(rows).includes('secret-session'), 'rows carry no cookie values');
    assert.ok(!JSON.stringify(rows).includes('c2lnbmF0dXJl'), 'rows carry no token values');
  });

  it('the session diff of an exchange is the jar before and after, from the cookie history', () => {
    const { store, ids } = loginSession();
    const snap = store.snapshot();
    const masked = sessionDiff(snap, ids[1]!, true);
    assert.deepEqual(masked.map((d) => [d.name, d.kind]), [['connect.sid', 'value-changed'], ['theme', 'created']]);
    assert.deepEqual(masked[0]!.attributes, ['secure']);
    assert.ok(masked[0]!.before!.includes('•') && !masked[0]!.before!.includes('first-secret'), masked[0]!.before);
    const revealed = sessionDiff(snap, ids[1]!, false);
    assert.equal(revealed[0]!.before, SID1);
    assert.equal(revealed[0]!.after, SID2);
    assert.equal(revealed[1]!.after, 'dark');
    assert.deepEqual(sessionDiff(snap, ids[3]!, false).map((d) => [d.name, d.kind, d.before]), [['theme', 'deleted', 'dark']]);
    assert.deepEqual(sessionDiff(snap, ids[2]!, false), []);
  });

  it('the detail masks credentials in heads and bodies unless revealed, and lists the exchange\'s findings', () => {
    const { store, ids } = loginSession();
    const snap = store.snapshot();
    const findings = [finding('session-fixation', ids[1]), finding('other', ids[2])];
    const login = exchangeDetail(snap, ids[1]!, findings, true, [])!;
    const text = JSON.stringify(login);
    assert.ok(!text.includes('first-secret') && !text.includes('second-secret') && !text.includes('hunter2'), text);
    assert.deepEqual(login.findings.map((f) => f.ruleId), ['session-fixation']);
    assert.equal(login.findings[0]!.key, findingRows(findings)[0]!.key, 'the same finding key as in the panel list');
    const setCookie = login.responseHeaders.find((h) => h.name === 'Set-Cookie')!;
    assert.match(setCookie.value, /^connect\.sid=s%3A•+ \(\d+ chars\); Path=\/; HttpOnly; Secure$/);
    assert.deepEqual(login.requestBody?.form?.map((f) => f.name), ['user', 'password']);
    assert.equal(login.requestBody?.form?.[0]!.value, 'alice');

    const me = exchangeDetail(snap, ids[2]!, findings, true, [])!;
    assert.match(me.requestHeaders.find((h) => h.name === 'Authorization')!.value, /^Bearer eyJh•+ \(\d+ chars\)$/);
    assert.ok(me.responseBody?.text?.includes('\n  "user": "alice"'), 'JSON pretty-printed');
    assert.ok(!me.responseBody!.text!.includes(JWT) && !me.responseBody!.text!.includes('pw-123456'), me.responseBody!.text);

    const revealed = exchangeDetail(snap, ids[2]!, findings, false, [])!;
    assert.equal(revealed.requestHeaders.find((h) => h.name === 'Authorization')!.value, `Bearer ${JWT}`);
    assert.ok(revealed.responseBody!.text!.includes(JWT));
    assert.equal(exchangeDetail(snap, 999, findings, true, []), undefined, 'an evicted exchange has no detail');
  });
});

describe('Session view deltas (extension side) applied by the webview model', () => {
  function post(deltas: SessionViewDeltas, state: SessionViewState, model: SessionModel): ToWebview {
    const message = deltas.next(state);
    if (message.type === 'state') model.applyState(message.state, message.version);
    else if (message.type === 'delta') assert.equal(model.applyDelta(message.delta), 'applied');
    return message;
  }

  it('sends the full state once, then only what changed; the webview ends up with the same state', () => {
    const { store, ids } = loginSession();
    const deltas = new SessionViewDeltas();
    const model = new SessionModel();
    const first = viewState(store, []);
    assert.equal(post(deltas, first, model).type, 'state');

    const unchanged = post(deltas, viewState(store, []), model);
    assert.ok(unchanged.type === 'delta' && !unchanged.delta.exchanges && !unchanged.delta.cookies && !unchanged.delta.findings);

    record(store, [{ path: '/profile', requestHeaders: [{ name: 'Cookie', value: `connect.sid=${SID2}` }], responseHeaders: [{ name: 'Set-Cookie', value: `connect.sid=${SID1}; Path=/` }] }]);
    const findings = [finding('session-fixation', ids[1])];
    const next = viewState(store, findings);
    const message = post(deltas, next, model);
    assert.ok(message.type === 'delta');
    // The new exchange, and POST /login whose finding count changed; nothing else.
    assert.deepEqual(message.delta.exchanges!.upsert.map((r) => r.id).sort((a, b) => a - b), [ids[1], ids[3]! + 1]);
    assert.deepEqual(message.delta.findings!.upsert.map((f) => f.ruleId), ['session-fixation']);
    assert.deepEqual(model.state, next);

    // Masking off changes every value-bearing row; the webview still matches.
    const revealed = viewState(store, [], false);
    post(deltas, revealed, model);
    assert.deepEqual(model.state, revealed);
  });

  it('evicted exchanges are removed by id; a missed delta is a gap, and reset() starts over with the full state', () => {
    const store = new SessionStore({ throttleMs: 0, capacity: 3 });
    record(store, [{ path: '/a' }, { path: '/b' }, { path: '/c' }]);
    const deltas = new SessionViewDeltas();
    const model = new SessionModel();
    post(deltas, viewState(store, []), model);
    record(store, [{ path: '/d' }, { path: '/e' }]);
    const m = deltas.next(viewState(store, []));
    assert.ok(m.type === 'delta');
    assert.equal(m.delta.exchanges!.remove.length, 2);
    assert.equal(model.applyDelta(m.delta), 'applied');
    assert.deepEqual(model.state!.exchanges.map((r) => r.path), ['/c', '/d', '/e']);

    const lost = deltas.next(viewState(store, []));
    assert.equal(lost.type, 'delta');
    const after = deltas.next(viewState(store, []));
    assert.ok(after.type === 'delta');
    assert.equal(model.applyDelta(after.delta), 'gap', 'the webview notices the lost message');
    deltas.reset();
    const full = deltas.next(viewState(store, []));
    assert.equal(full.type, 'state');
  });
});
