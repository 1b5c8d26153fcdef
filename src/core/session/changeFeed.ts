import type { Finding } from '../findings';
import type { CookieHistoryEvent, CookieRecord, Exchange, TokenRecord } from './types';

/**
 * The session's change feed: every change of the model as a typed, versioned record, in the
 * order it happened. A batch of `SessionChangeEvent.changes` applied in order onto an empty model
 * (or onto the model as it was after the previous batch) gives the model the store holds.
 *
 * Exchange changes carry the exchange as it is when the batch is delivered: a batch that adds an
 * exchange and finishes it has an `exchange-added` and an `exchange-finished` pointing at the same
 * (finished) object. Objects in a change are never mutated afterwards.
 */
export type SessionChange =
  | ExchangeAddedChange
  | ExchangeUpdatedChange
  | ExchangeFinishedChange
  | ExchangeEvictedChange
  | CookieChange
  | CookieRefreshedChange
  | TokenSeenChange
  | TokenDroppedChange
  | FindingChange
  | ClearedChange;

/** What every change has: the store version right after it (versions increase along the feed). */
interface Versioned {
  readonly version: number;
}

/** A request was recorded. */
export interface ExchangeAddedChange extends Versioned {
  readonly kind: 'exchange-added';
  readonly exchange: Exchange;
}

/** An exchange still in progress changed: request body, response head, Set-Cookie outcomes, tokens found. */
export interface ExchangeUpdatedChange extends Versioned {
  readonly kind: 'exchange-updated';
  readonly exchange: Exchange;
}

/** An exchange ended: its response is complete, or it failed, timed out, was aborted or upgraded (see `exchange.state`). */
export interface ExchangeFinishedChange extends Versioned {
  readonly kind: 'exchange-finished';
  readonly exchange: Exchange;
}

/** The ring buffer dropped an exchange (the oldest). */
export interface ExchangeEvictedChange extends Versioned {
  readonly kind: 'exchange-evicted';
  readonly exchangeId: number;
}

/**
 * One cookie history event: created, value-changed, attributes-changed, deleted, expired or
 * evicted. `cookie` is the cookie's record after it, for the kinds that leave the cookie in the jar.
 */
export interface CookieChange extends Versioned {
  readonly kind: 'cookie';
  readonly event: CookieHistoryEvent;
  readonly cookie?: CookieRecord;
}

/**
 * A cookie in the jar was set again unchanged or sent by the browser: its times moved
 * (`receivedAt`, `lastSeen`, `expiresAt` of a rolling Max-Age), which is no history event.
 */
export interface CookieRefreshedChange extends Versioned {
  readonly kind: 'cookie-refreshed';
  readonly cookie: CookieRecord;
}

/** A token was seen: for the first time (`first`), or again (the record's `lastSeen`/`count` moved). */
export interface TokenSeenChange extends Versioned {
  readonly kind: 'token-seen';
  readonly token: TokenRecord;
  readonly first: boolean;
}

/** The store dropped its oldest token to stay within `maxTokens`. */
export interface TokenDroppedChange extends Versioned {
  readonly kind: 'token-dropped';
  readonly tokenId: number;
}

/**
 * A reader of the session published a finding change (the traffic audit does, see
 * `SessionStore.publishFindings`): the model itself finds nothing.
 */
export interface FindingChange extends Versioned {
  readonly kind: 'finding-added' | 'finding-removed';
  readonly finding: Finding;
}

/** `clear()`: every exchange, cookie, history event, token and finding is gone. */
export interface ClearedChange extends Versioned {
  readonly kind: 'cleared';
}

/** Kinds of {@link SessionChange}. */
export type SessionChangeKind = SessionChange['kind'];

/** What a batch's summary fields (`SessionChangeEvent` besides `changes`) hold, derived from its changes. */
export interface ChangeSummary {
  readonly cleared: boolean;
  readonly exchangesAdded: readonly number[];
  readonly exchangesUpdated: readonly number[];
  readonly exchangesEvicted: readonly number[];
  readonly cookieEvents: readonly CookieHistoryEvent[];
  readonly tokensAdded: readonly TokenRecord[];
  readonly tokensUpdated: readonly number[];
}

/**
 * The summary fields of a batch: exchanges added, updated (got their response, finished or
 * failed; not those added in the same batch), evicted, cookie events, tokens new and seen again.
 */
export function summarizeChanges(changes: readonly SessionChange[]): ChangeSummary {
  let cleared = false;
  const added = new Set<number>();
  const updated = new Set<number>();
  const evicted: number[] = [];
  const cookieEvents: CookieHistoryEvent[] = [];
  const tokensAdded: TokenRecord[] = [];
  const newTokens = new Set<number>();
  const tokensUpdated = new Set<number>();
  for (const c of changes) {
    switch (c.kind) {
      case 'cleared': cleared = true; break;
      case 'exchange-added': added.add(c.exchange.id); break;
      case 'exchange-updated':
      case 'exchange-finished': if (!added.has(c.exchange.id)) updated.add(c.exchange.id); break;
      case 'exchange-evicted': evicted.push(c.exchangeId); break;
      case 'cookie': cookieEvents.push(c.event); break;
      case 'token-seen':
        if (c.first) {
          tokensAdded.push(c.token);
          newTokens.add(c.token.id);
        } else if (!newTokens.has(c.token.id)) {
          tokensUpdated.add(c.token.id);
        }
        break;
      case 'cookie-refreshed':
      case 'token-dropped':
      case 'finding-added':
      case 'finding-removed':
        break;
    }
  }
  return { cleared, exchangesAdded: [...added], exchangesUpdated: [...updated], exchangesEvicted: evicted, cookieEvents, tokensAdded, tokensUpdated: [...tokensUpdated] };
}
