import type { Exchange } from '../session/types';

/** The server clock of one host compared with the local clock. */
export interface ClockSkew {
  /** Host (and port) whose `Date` headers were compared. */
  readonly host: string;
  /** Server clock minus local clock, ms (positive: the server is ahead). */
  readonly skewMs: number;
  /** How many responses the estimate rests on. */
  readonly samples: number;
  /** True when |skewMs| reaches the threshold and countdowns are corrected for it. */
  readonly corrected: boolean;
  /** One sentence for the UI. */
  readonly note: string;
}

/** Below this, a difference is the Date header's one-second resolution plus latency, not skew. */
export const DEFAULT_SKEW_THRESHOLD_MS = 2000;

/** "2 min 5 s", "3 h 4 min", "45 s" */
export function describeSkew(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.round(h / 24)} days`;
}

/**
 * Estimates the skew from (server Date − local receipt) samples. `Date` is truncated to the
 * second and stamped before the response travels, so every sample underestimates the skew by
 * up to a second plus latency; a stale (cached) Date only pushes samples down. The largest
 * sample is therefore the closest estimate.
 */
export function estimateClockSkew(samples: readonly number[], host = '', thresholdMs = DEFAULT_SKEW_THRESHOLD_MS): ClockSkew {
  const finite = samples.filter((s) => Number.isFinite(s));
  // A loop, not Math.max(...finite): one argument per sample overflows the stack on a long capture.
  return clockSkewFromLargest(finite.reduce((max, s) => (s > max ? s : max), -Infinity), finite.length, host, thresholdMs);
}

/** The skew from the largest of `count` finite samples (see {@link estimateClockSkew}); a reader that keeps the largest sample needs no list. */
export function clockSkewFromLargest(skewMs: number, count: number, host = '', thresholdMs = DEFAULT_SKEW_THRESHOLD_MS): ClockSkew {
  if (count === 0) {
    return { host, skewMs: 0, samples: 0, corrected: false, note: `No Date header from ${host || 'the server'}: times are taken as on this machine's clock.` };
  }
  const corrected = Math.abs(skewMs) >= thresholdMs;
  const note = corrected
    ? `The server clock of ${host || 'the server'} is ${describeSkew(skewMs)} ${skewMs > 0 ? 'ahead of' : 'behind'} this machine (from ${count} Date header${count === 1 ? '' : 's'}); countdowns are corrected for it.`
    : `The server clock of ${host || 'the server'} agrees with this machine's within ${describeSkew(Math.max(Math.abs(skewMs), 1000))}.`;
  return { host, skewMs, samples: count, corrected, note };
}

/** Host (with port) whose clock stamped an exchange's response: the upstream when proxied. */
/** Hosts already read, per exchange (exchanges are never mutated): the model is rebuilt on every change. */
const serverHosts = new WeakMap<object, string>();

export function serverHostOf(ex: Pick<Exchange, 'url' | 'upstreamUrl'>): string {
  let host = serverHosts.get(ex);
  if (host === undefined) {
    host = readServerHost(ex);
    serverHosts.set(ex, host);
  }
  return host;
}

function readServerHost(ex: Pick<Exchange, 'url' | 'upstreamUrl'>): string {
  for (const u of [ex.upstreamUrl, ex.url]) {
    if (!u) continue;
    try {
      return new URL(u).host;
    } catch {
      // Try the next one.
    }
  }
  return '';
}

/** Skew per server host, from every exchange with both a Date header and a receipt time. */
export function clockSkewByHost(exchanges: readonly Exchange[], thresholdMs = DEFAULT_SKEW_THRESHOLD_MS): Map<string, ClockSkew> {
  const samples = new Map<string, number[]>();
  for (const ex of exchanges) {
    if (ex.serverDate === undefined || ex.responseReceivedAt === undefined) continue;
    const host = serverHostOf(ex);
    const list = samples.get(host) ?? [];
    list.push(ex.serverDate - ex.responseReceivedAt);
    samples.set(host, list);
  }
  const out = new Map<string, ClockSkew>();
  for (const [host, list] of samples) out.set(host, estimateClockSkew(list, host, thresholdMs));
  return out;
}
