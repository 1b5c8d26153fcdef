/**
 * What one update of the Session panel costs in the extension host and the webview model with a
 * large capture: timeline rows from the snapshot, the delta against what was sent, and applying it.
 * Run: npx tsx bench/panel/run.ts [exchanges]   (prints figures; default 10,000 exchanges)
 */
import { SessionStore } from '../../src/core/session';
import { SessionViewDeltas } from '../../src/extension/sessionViewDeltas';
import { cookieRows, exchangeRows, findingRows, tokenRows } from '../../src/extension/sessionViewState';
import type { SessionViewState } from '../../src/shared/protocol';
import { filterRows, NO_FILTER, SessionModel } from '../../src/webview/timelineModel';
import { quantile, sampleMs } from '../timing';

const COUNT = Number(process.argv[2] ?? 10_000);

function time(label: string, runs: number, fn: () => void): void {
  const samples = sampleMs(runs, 5, fn);
  console.log(`${label.padEnd(60)} median ${quantile(samples, 0.5, 2)} ms  p95 ${quantile(samples, 0.95, 2)} ms`);
}

let next = 0;
function addExchange(store: SessionStore): void {
  const i = next++;
  const t = Date.UTC(2026, 10, 22, 12) + i * 100;
  const id = store.beginExchange({
    source: 'proxy', method: i % 7 ? 'GET' : 'POST', url: `http://localhost:3000/api/items/${i}?page=2`, path: `/api/items/${i}?page=2`, startedAt: t,
    headers: [{ name: 'Host', value: 'localhost:3000' }, { name: 'Accept', value: 'application/json' }, { name: 'Cookie', value: `sid=s%3Asession-id-0123456789.sig; theme=dark` }],
  });
  store.addResponse(id, { status: i % 13 ? 200 : 404, headers: [{ name: 'Content-Type', value: 'application/json' }, ...(i % 50 === 0 ? [{ name: 'Set-Cookie', value: `seen=${i}; Path=/` }] : [])], receivedAt: t + 5 });
  store.finishExchange(id, { state: 'complete', endedAt: t + 9 });
}

const store = new SessionStore({ throttleMs: 0, capacity: COUNT * 2 });
for (let i = 0; i < COUNT; i++) addExchange(store);
store.flush();

function state(): SessionViewState {
  const snap = store.snapshot();
  return {
    capture: { running: true, exchanges: snap.exchanges.length },
    exchanges: exchangeRows(snap, []),
    cookies: cookieRows(snap, true, () => false),
    tokens: tokenRows(snap, true),
    findings: findingRows([]),
    masked: true, actions: [], now: Date.now(), expiringSoonMs: 300_000,
  };
}

console.log(`Session panel update with ${COUNT} exchanges (${store.snapshot().cookies.length} cookies)\n`);
time('extension: rows of every exchange (state())', 20, () => void state());
const full = state();
const fullJson = JSON.stringify({ type: 'state', state: full, version: 1 });
console.log(`full state message: ${(fullJson.length / 1024 / 1024).toFixed(2)} MB of JSON (sent on load and resync only)`);
time('extension: first message (full state, indexes what was sent)', 10, () => void new SessionViewDeltas().next(full));

const deltas = new SessionViewDeltas();
const model = new SessionModel();
const first = deltas.next(state());
if (first.type === 'state') model.applyState(first.state, first.version);
let lastDeltaBytes = 0;
time('extension: rows + delta after 10 new exchanges', 20, () => {
  for (let i = 0; i < 10; i++) addExchange(store);
  store.flush();
  const m = deltas.next(state());
  lastDeltaBytes = JSON.stringify(m).length;
  if (m.type === 'delta' && model.applyDelta(m.delta) !== 'applied') throw new Error('gap');
});
console.log(`delta message after 10 new exchanges: ${(lastDeltaBytes / 1024).toFixed(1)} KB`);

const message = (() => {
  for (let i = 0; i < 10; i++) addExchange(store);
  store.flush();
  return deltas.next(state());
})();
time('webview: apply a delta of 10 exchanges', 50, () => {
  const m = new SessionModel();
  m.applyState(model.state!, model.version);
  if (message.type === 'delta') m.applyDelta(message.delta);
});
time('webview: text filter over all rows', 50, () => void filterRows(model.state!.exchanges, { ...NO_FILTER, text: 'items/99' }));
