/** Pure formatting helpers of the webview (no DOM), unit-tested in Node. */

/** "2 h 03 min", "45 s", "3 d 4 h": the time left until `ms`, coarse for long spans. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

export type CountdownState = 'valid' | 'expiring-soon' | 'expired' | 'not-yet-valid' | 'session' | 'unknown';

/** The countdown text and state of an expiry at `now` (local clock). */
export function countdown(
  expiry: { kind: string; expiresAt?: number; notBefore?: number; idleTimeoutMs?: number; absoluteExpiresAt?: number },
  now: number,
  expiringSoonMs: number,
): { text: string; state: CountdownState } {
  if (expiry.notBefore !== undefined && now < expiry.notBefore) {
    return { text: `valid in ${formatDuration(expiry.notBefore - now)}`, state: 'not-yet-valid' };
  }
  if (expiry.kind === 'session') return { text: 'until browser closes', state: 'session' };
  if (expiry.expiresAt === undefined) return { text: 'no expiry', state: 'unknown' };
  const left = expiry.expiresAt - now;
  const absolute = expiry.absoluteExpiresAt !== undefined && expiry.absoluteExpiresAt > now ? `, absolute ${formatDuration(expiry.absoluteExpiresAt - now)}` : '';
  const idle = expiry.idleTimeoutMs !== undefined ? ` (idle timeout ${formatDuration(expiry.idleTimeoutMs)}${absolute})` : '';
  if (left <= 0) return { text: `expired ${formatDuration(-left)} ago`, state: 'expired' };
  return { text: `${formatDuration(left)}${idle}`, state: left <= expiringSoonMs ? 'expiring-soon' : 'valid' };
}

/** "512 B", "3.4 KB", "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "85 ms", "1.24 s", "2 min 03 s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return formatDuration(ms);
}

/** Local time of day with milliseconds, "14:03:07.042". */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** "in 14 min", "3 h ago", "in 2 d", "just now": how far `at` is from `now`, coarse, for claim dates. */
export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  const s = Math.round(Math.abs(diff) / 1000);
  if (s < 5) return 'just now';
  const span = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 48 * 3600 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  return diff > 0 ? `in ${span}` : `${span} ago`;
}
