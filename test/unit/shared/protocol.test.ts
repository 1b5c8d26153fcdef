import * as assert from 'node:assert/strict';
import { parseFromWebview, WEBVIEW_ACTIONS } from '../../../src/shared/protocol';
import { countdown, formatDuration } from '../../../src/webview/format';

describe('webview message protocol', () => {
  it('accepts exactly the known messages', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
    for (const action of WEBVIEW_ACTIONS) assert.deepEqual(parseFromWebview({ type: 'action', action }), { type: 'action', action });
    assert.deepEqual(parseFromWebview({ type: 'reveal', masked: false }), { type: 'reveal', masked: false });
    assert.deepEqual(parseFromWebview({ type: 'copyValue', key: 'cookie:a;/;sid' }), { type: 'copyValue', key: 'cookie:a;/;sid' });
    assert.deepEqual(parseFromWebview({ type: 'resync' }), { type: 'resync' });
    assert.deepEqual(parseFromWebview({ type: 'exchangeDetail', id: 42 }), { type: 'exchangeDetail', id: 42 });
    assert.deepEqual(parseFromWebview({ type: 'verifyToken', key: 'token:3' }), { type: 'verifyToken', key: 'token:3' });
    assert.deepEqual(parseFromWebview({ type: 'copyAsCurl', id: 7 }), { type: 'copyAsCurl', id: 7 });
    assert.deepEqual(parseFromWebview({ type: 'ruleOff', id: 'r12' }), { type: 'ruleOff', id: 'r12' });
    assert.deepEqual(parseFromWebview({ type: 'ruleOff', id: 'keep-alive' }), { type: 'ruleOff', id: 'keep-alive' });
    assert.deepEqual(parseFromWebview({ type: 'cookieRule', action: 'expire', cookie: 'connect.sid' }), { type: 'cookieRule', action: 'expire', cookie: 'connect.sid' });
    assert.deepEqual(parseFromWebview({ type: 'cookieRule', action: 'shorten', cookie: 'sid', extra: 1 }), { type: 'cookieRule', action: 'shorten', cookie: 'sid' });
    assert.deepEqual(parseFromWebview({ type: 'tamperToken', key: 'ignored' }), { type: 'tamperToken' });
  });

  it('drops anything else: unknown types, commands the webview names, wrong field types', () => {
    for (const bad of [
      null, undefined, 'ready', 42, [], {},
      { type: 'action', action: 'workbench.action.terminal.new' },
      { type: 'action', action: { toString: () => 'startCapture' } },
      { type: 'runCommand', command: 'startCapture' },
      { type: 'reveal', masked: 'false' },
      { type: 'copyValue', key: 'x'.repeat(513) },
      { type: 'copyValue' },
      { type: 'exchangeDetail', id: '42' },
      { type: 'exchangeDetail', id: -1 },
      { type: 'exchangeDetail', id: 1.5 },
      { type: 'exchangeDetail', id: Number.NaN },
      { type: 'exchangeDetail', id: 2 ** 60 },
      { type: 'exchangeDetail' },
      { type: 'verifyToken', key: 'cookie:localhost;/;sid' },
      { type: 'verifyToken', key: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' },
      { type: 'copyAsCurl', id: '1' },
      { type: 'copyAsCurl', id: -1 },
      { type: 'ruleOff', id: 'sessionLens.stopCapture' },
      { type: 'ruleOff', id: 'r' },
      { type: 'ruleOff', id: 7 },
      { type: 'ruleOff' },
      { type: 'cookieRule', action: 'sessionLens.stopCapture', cookie: 'sid' },
      { type: 'cookieRule', action: 'expire', cookie: '' },
      { type: 'cookieRule', action: 'expire', cookie: 'x'.repeat(5000) },
      { type: 'cookieRule', action: 'drop' },
    ]) {
      assert.equal(parseFromWebview(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('countdown formatting', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  it('formats durations coarsely for long spans, precisely for short ones', () => {
    assert.equal(formatDuration(45_000), '45 s');
    assert.equal(formatDuration(29 * 60_000 + 57_000), '29 min 57 s');
    assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000), '2 h 03 min');
    assert.equal(formatDuration(3 * 86400_000 + 4 * 3600_000), '3 d 4 h');
  });

  it('derives the state from the expiry at any instant', () => {
    assert.deepEqual(countdown({ kind: 'absolute', expiresAt: now + 600_000 }, now, 300_000), { text: '10 min 00 s', state: 'valid' });
    assert.deepEqual(countdown({ kind: 'absolute', expiresAt: now + 200_000 }, now, 300_000), { text: '3 min 20 s', state: 'expiring-soon' });
    assert.deepEqual(countdown({ kind: 'absolute', expiresAt: now - 5_000 }, now, 300_000), { text: 'expired 5 s ago', state: 'expired' });
    assert.deepEqual(countdown({ kind: 'absolute', expiresAt: now + 600_000, notBefore: now + 60_000 }, now, 300_000), { text: 'valid in 1 min 00 s', state: 'not-yet-valid' });
    assert.deepEqual(countdown({ kind: 'session' }, now, 300_000), { text: 'until browser closes', state: 'session' });
    assert.deepEqual(countdown({ kind: 'none' }, now, 300_000), { text: 'no expiry', state: 'unknown' });
  });

  it('shows an idle timeout together with the absolute limit', () => {
    const r = countdown({ kind: 'idle', expiresAt: now + 1800_000, idleTimeoutMs: 1800_000, absoluteExpiresAt: now + 8 * 3600_000 }, now, 300_000);
    assert.equal(r.text, '30 min 00 s (idle timeout 30 min 00 s, absolute 8 h 00 min)');
  });
});
