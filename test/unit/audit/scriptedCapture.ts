import { SessionStore } from '../../../src/core/session/sessionStore';
import type { HeaderField } from '../../../src/core/session/types';

/** One scripted exchange: what the browser sent and what the server answered. */
export interface ScriptedExchange {
  readonly method?: string;
  /** Path (and query) on the origin, or an absolute URL. */
  readonly path: string;
  readonly status?: number;
  /** Cookie header value sent with the request. */
  readonly cookie?: string;
  readonly requestHeaders?: Record<string, string>;
  readonly form?: Record<string, string>;
  readonly setCookies?: readonly string[];
  readonly responseHeaders?: Record<string, string>;
  readonly json?: unknown;
  /** The URL the proxy forwarded to, when the exchange went through the capture proxy. */
  readonly upstream?: string;
}

/**
 * Feeds scripted exchanges through the real SessionStore (as a HAR import does), for rules that
 * need a precise timeline. Times advance one second per exchange from `start`.
 */
export function scriptedCapture(exchanges: readonly ScriptedExchange[], origin = 'http://localhost:3000', start = Date.UTC(2026, 10, 22, 12, 0, 0)): SessionStore {
  const store = new SessionStore({ throttleMs: 0, now: () => start });
  exchanges.forEach((x, i) => {
    const at = start + i * 1000;
    const url = /^[a-z]+:\/\//i.test(x.path) ? x.path : `${origin}${x.path}`;
    const headers: HeaderField[] = Object.entries(x.requestHeaders ?? {}).map(([name, value]) => ({ name, value }));
    if (x.cookie) headers.push({ name: 'Cookie', value: x.cookie });
    const body = x.form ? Buffer.from(new URLSearchParams(x.form).toString()) : undefined;
    if (body) headers.push({ name: 'Content-Type', value: 'application/x-www-form-urlencoded' });
    const id = store.beginExchange({ source: x.upstream ? 'proxy' : 'har', method: x.method ?? 'GET', url, headers, startedAt: at, ...(x.upstream ? { upstreamUrl: x.upstream } : {}) });
    if (body) store.addRequestBody(id, { bytes: body, wireBytes: body.length, truncated: false, decoded: true });
    const response: HeaderField[] = [{ name: 'Date', value: new Date(at).toUTCString() }];
    for (const [name, value] of Object.entries(x.responseHeaders ?? {})) response.push({ name, value });
    for (const sc of x.setCookies ?? []) response.push({ name: 'Set-Cookie', value: sc });
    const json = x.json !== undefined ? Buffer.from(JSON.stringify(x.json)) : undefined;
    if (json) response.push({ name: 'Content-Type', value: 'application/json' });
    store.addResponse(id, { status: x.status ?? 200, headers: response, receivedAt: at + 50 });
    store.finishExchange(id, { state: 'complete', endedAt: at + 60, ...(json ? { responseBody: { bytes: json, wireBytes: json.length, truncated: false, decoded: true } } : {}) });
  });
  return store;
}
