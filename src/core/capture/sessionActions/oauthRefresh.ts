import type { Exchange, TokenRecord } from '../../session/types';
import { type OwnRequestResult, type ProxyForActions, SessionActionError, requireLoopbackTarget, sendOwnRequest } from './ownRequest';

/** A refresh token the capture saw in a token response, with the exchange that returned it (the token endpoint). */
export interface RefreshableToken {
  readonly refreshToken: TokenRecord;
  readonly tokenExchange: Exchange;
}

/** The newest refresh token seen in a token response whose exchange is still in the store; undefined when none. */
export function findRefreshableToken(proxy: Pick<ProxyForActions, 'store'>): RefreshableToken | undefined {
  const tokens = proxy.store.getTokens().filter((t) => t.kind === 'oauth-refresh' && t.source === 'response-body');
  for (let i = tokens.length - 1; i >= 0; i--) {
    const ex = proxy.store.getExchange(tokens[i].exchangeId);
    if (ex !== undefined && ex.method === 'POST') return { refreshToken: tokens[i], tokenExchange: ex };
  }
  return undefined;
}

/** Fields of the token request that identify the client (kept in the refresh grant). */
const CLIENT_FIELDS = ['client_id', 'client_secret', 'scope', 'audience', 'resource'];

/** The refresh grant to send for `found`: the request the app made to its token endpoint, as a refresh. */
export interface RefreshGrant {
  readonly method: 'POST';
  /** Path and query of the token endpoint, as captured. */
  readonly path: string;
  /** Host of the token endpoint as the capture saw it. */
  readonly host: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/**
 * The refresh grant (`grant_type=refresh_token`) for `found`, in the body format the app used
 * (form or JSON), with its client fields and client authentication (Basic): what Refresh OAuth
 * token sends through the proxy and `session-lens refresh` sends to the target.
 */
export function refreshGrant(found: RefreshableToken): RefreshGrant {
  const ex = found.tokenExchange;
  const url = new URL(ex.url);
  const contentType = ex.requestHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
  const original = ex.requestBody?.text ?? '';
  const json = /json/i.test(contentType);
  const fields: Record<string, string> = { grant_type: 'refresh_token', refresh_token: found.refreshToken.value };
  try {
    const given: Record<string, unknown> = json ? JSON.parse(original || '{}') as Record<string, unknown> : Object.fromEntries(new URLSearchParams(original));
    for (const name of CLIENT_FIELDS) if (typeof given[name] === 'string') fields[name] = given[name] as string;
  } catch {
    // The original body is not readable: the grant goes without client fields.
  }
  const headers: [string, string][] = [['Content-Type', json ? 'application/json' : 'application/x-www-form-urlencoded'], ['Accept', 'application/json']];
  const auth = ex.requestHeaders.find((h) => h.name.toLowerCase() === 'authorization');
  // Client authentication (Basic) is the client's, not the user's: it goes with the grant.
  if (auth !== undefined && /^basic\s/i.test(auth.value)) headers.push([auth.name, auth.value]);
  const body = json ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
  return { method: 'POST', path: ex.path, host: url.host, headers, body };
}

/**
 * Refresh OAuth token: repeats the refresh grant (see {@link refreshGrant}) against the token
 * endpoint the capture saw, through the proxy (recorded like any exchange, marked).
 * Loopback dev servers only.
 */
export async function refreshOAuthToken(proxy: ProxyForActions, found: RefreshableToken | undefined = findRefreshableToken(proxy)): Promise<OwnRequestResult> {
  requireLoopbackTarget(proxy, 'Refresh OAuth token');
  if (found === undefined) throw new SessionActionError('no token response with a refresh_token was captured yet');
  const grant = refreshGrant(found);
  return sendOwnRequest(proxy, grant, `sent by Session Lens: OAuth refresh grant (POST ${grant.path})`);
}
