import type { CookieRecord, Exchange, SessionSnapshot, TokenRecord } from './types';

/** What analyses of a capture read: a store (anything with `snapshot()`), a snapshot, or bare exchanges (a HAR). */
export type SnapshotSource = SessionSnapshot | { snapshot(): SessionSnapshot } | readonly Exchange[];

/** The parts of a session an analysis needs, from any {@link SnapshotSource}; missing arrays read as empty. */
export function readSnapshotSource(source: SnapshotSource): { exchanges: readonly Exchange[]; tokens: readonly TokenRecord[]; cookies: readonly CookieRecord[] } {
  if (Array.isArray(source)) return { exchanges: source as readonly Exchange[], tokens: [], cookies: [] };
  const s = source as Partial<SessionSnapshot> & { snapshot?: () => SessionSnapshot };
  const snap = typeof s.snapshot === 'function' ? s.snapshot() : (s as SessionSnapshot);
  return {
    exchanges: Array.isArray(snap?.exchanges) ? snap.exchanges : [],
    tokens: Array.isArray(snap?.tokens) ? snap.tokens : [],
    cookies: Array.isArray(snap?.cookies) ? snap.cookies : [],
  };
}
