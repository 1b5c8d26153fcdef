import type { Finding } from '../findings';
import type { RuleId } from '../rules/catalog';
import type { HeaderField } from '../session/types';

/** The four probes: what each asks the dev server. */
export type ProbeKind = 'logout' | 'expiry' | 'unissued' | 'fixation';

export const PROBE_KINDS: readonly ProbeKind[] = ['logout', 'expiry', 'unissued', 'fixation'];

/** confirmed: the server showed the problem; refuted: it did the right thing; inconclusive: its answers did not tell. */
export type ProbeVerdict = 'confirmed' | 'refuted' | 'inconclusive';

/** One request a probe sends, built from a captured one and pointed at the target. */
export interface ProbeRequest {
  readonly method: string;
  /** Absolute URL on the (loopback) target. */
  readonly url: string;
  readonly headers: readonly HeaderField[];
  readonly body?: string;
}

/** A request as the confirmation lists it before anything is sent. */
export interface PlannedStep {
  readonly method: string;
  readonly url: string;
  /** Which credential it carries and why it is sent ("the session id from before the logout"). */
  readonly why: string;
}

/** A request the probe sent and what came back (status absent when it failed). */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly why: string;
  /** Why no answer came (refused, timed out), when none did. */
  readonly error?: string;
}

/** What a probe concluded. Plain data: printed by the CLI, shown by the extension. */
export interface ProbeResult {
  readonly probe: ProbeKind;
  readonly verdict: ProbeVerdict;
  /** The rule the probe confirms or refutes. */
  readonly ruleId: RuleId;
  /** Why it concluded what it did, naming what it compared. */
  readonly reason: string;
  readonly requests: readonly SentRequest[];
  /**
   * The finding to show: the rule confirmed (its error severity), or refuted (lowered to info,
   * "the server rejects …"); absent when inconclusive.
   */
  readonly finding?: Finding;
}

/** The captured session cannot answer the probe's question (no logout seen, no session id…). */
export class ProbeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeInputError';
  }
}

/** Bounds of every probe request. */
export interface ProbeLimits {
  /** Per request: no answer (headers and body) within this many ms is a failure. Default 10 s. */
  readonly timeoutMs: number;
  /** Response bytes read per request; the rest is not read. Default 1 MiB. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = Object.freeze({ timeoutMs: 10_000, maxBodyBytes: 1024 * 1024 });
