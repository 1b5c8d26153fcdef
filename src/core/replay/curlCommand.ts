import type { CookieRecord, Exchange } from '../session/types';
import { cookiesFor } from './cookieMatch';

/** Request headers curl sets itself or that must not be replayed as recorded. */
const LEFT_OUT = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'cookie', 'accept-encoding', 'expect']);

/** One argument quoted for a POSIX shell: single quotes, with `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What {@link curlCommand} replays. */
export interface CurlOptions {
  /** The jar now: its cookies for the URL are sent, not the ones recorded with the request. */
  readonly jar: readonly CookieRecord[];
  /** The Authorization value to send now (e.g. the newest bearer token), instead of the recorded one. */
  readonly authorization?: string;
  readonly now: number;
  /** Send to the dev server (default) rather than through the capture proxy's URL. */
  readonly via?: 'server' | 'proxy';
}

/** The command and what it could not replay exactly. */
export interface CurlCommand {
  readonly command: string;
  readonly notes: readonly string[];
}

/**
 * The exchange as a `curl` command that replays it with the session as it is now: the jar's
 * current cookies for the URL and the current Authorization, the other request headers as
 * recorded, and the body when it was recorded in full as text. Values are in the clear: the
 * command is for the user's clipboard, on the user's request.
 */
export function curlCommand(exchange: Exchange, options: CurlOptions): CurlCommand {
  const notes: string[] = [];
  const target = options.via === 'proxy' ? exchange.url : exchange.upstreamUrl ?? exchange.url;
  const url = new URL(target);
  const args: string[] = ['curl'];
  const method = exchange.method.toUpperCase();
  const body = exchange.requestBody;
  const hasBody = body !== undefined && body.wireBytes > 0;
  const replayableBody = hasBody && body.text !== undefined && !body.truncated && body.contentEncoding === undefined ? body.text : undefined;
  // curl sends POST when given --data-raw; every other case names its method.
  if (method === 'HEAD') args.push('--head');
  else if (method !== 'GET' && !(method === 'POST' && replayableBody !== undefined)) args.push('-X', method);
  args.push(url.href);
  for (const h of exchange.requestHeaders) {
    const name = h.name.toLowerCase();
    if (LEFT_OUT.has(name)) continue;
    if (name === 'authorization' && options.authorization !== undefined) continue;
    args.push('-H', `${h.name}: ${h.value}`);
  }
  if (options.authorization !== undefined) args.push('-H', `Authorization: ${options.authorization}`);
  const cookies = cookiesFor(url, options.jar, options.now);
  if (cookies.length > 0) args.push('-b', cookies.map((c) => `${c.name}=${c.value}`).join('; '));
  if (hasBody) {
    if (replayableBody !== undefined) args.push('--data-raw', replayableBody);
    else notes.push(`the request body (${body.wireBytes} bytes) was not recorded in full as text and is left out`);
  }
  return { command: args.map((a, i) => (i === 0 ? a : shellQuote(a))).join(' '), notes };
}

/** The Authorization value last sent to `origin`, newest first: what "the current Authorization" means. */
export function currentAuthorization(exchanges: readonly Exchange[], origin: string): string | undefined {
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const ex = exchanges[i];
    let exOrigin: string;
    try {
      exOrigin = new URL(ex.upstreamUrl ?? ex.url).origin;
    } catch {
      continue;
    }
    if (exOrigin !== origin) continue;
    const auth = ex.requestHeaders.find((h) => h.name.toLowerCase() === 'authorization');
    if (auth) return auth.value;
  }
  return undefined;
}
