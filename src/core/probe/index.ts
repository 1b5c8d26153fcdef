/**
 * Active probes: confirm on a loopback dev server what the passive audit guesses from the
 * traffic (logout, expiry, unissued session ids, fixation). Nothing here imports vscode; the CLI
 * (`session-lens probe`) and the extension's Verify … on the Server commands sit on it.
 */
import { REDACTED } from '../capture/harExport';
import type { SessionSnapshot } from '../session/types';
import { CapturedSession } from './capturedSession';
import { InFlightRuleError } from '../capture/rules/inFlightRule';
import { parseSigningKey } from '../capture/rules/jwtTamper';
import { planExpiryProbe, planTamperedExpiryProbe } from './expiryProbe';
import { planFixationProbe } from './fixationProbe';
import { planLogoutProbe } from './logoutProbe';
import { planUnissuedProbe } from './unissuedProbe';
import { loopbackOrigin } from './probeHttp';
import type { ProbePlan } from './probeRun';
import { type ProbeKind, ProbeInputError } from './types';

export * from './types';
export type { ProbePlan } from './probeRun';
export { loopbackOrigin, ProbeNetworkError, sendProbeRequest, type ProbeResponse } from './probeHttp';
export { bodySimilarity } from './bodySimilarity';
export { judgeLoggedIn, type AnswerShape, type LoggedInJudgement } from './loggedInJudge';
export { madeUpIdLike } from './madeUpId';

/** How a probe is planned beyond its kind, session and target. */
export interface ProbeOptions {
  /** Epoch ms taken as now (tests). */
  readonly now?: number;
  /**
   * expiry only: instead of waiting for a credential to expire, send the newest JWT of the
   * capture with exp in the past; `key` (a secret, PEM private key or private JWK, as Tamper JWT
   * takes it) re-signs it, without it the original signature is kept.
   */
  readonly tamperJwt?: { readonly key?: string };
}

function signingKeyOf(text: string): ReturnType<typeof parseSigningKey> {
  try {
    return parseSigningKey(text);
  } catch (err) {
    if (err instanceof InFlightRuleError) throw new ProbeInputError(`the JWT key: ${err.message}`);
    throw err;
  }
}

/**
 * Plans probe `kind` on a captured session against `target` (a loopback URL; its origin is
 * used). Throws ProbeInputError when the target is not loopback or the capture cannot answer
 * the question (no logout seen, nothing expired yet…). Nothing is sent until `run()`.
 */
export function planProbe(kind: ProbeKind, snapshot: SessionSnapshot, target: string, options: ProbeOptions = {}): ProbePlan {
  if (options.tamperJwt && kind !== 'expiry') throw new ProbeInputError(`tampering a JWT is part of the expiry probe only, not ${kind}`);
  const session = new CapturedSession(snapshot, loopbackOrigin(target));
  // A redacted export replays "[redacted]" as the session id: every server rejects that, which proves nothing.
  if (snapshot.exchanges.some((ex) => ex.cookiesSent.some((c) => c.value === REDACTED) || ex.requestHeaders.some((h) => h.name.toLowerCase() === 'authorization' && h.value.includes(REDACTED)))) {
    throw new ProbeInputError('the HAR is redacted (cookie and token values replaced by [redacted]): there is no session to replay; capture with --har but without --redact, or export with values');
  }
  switch (kind) {
    case 'logout': return planLogoutProbe(session);
    case 'expiry': return options.tamperJwt ? planTamperedExpiryProbe(session, options.now ?? Date.now(), { ...(options.tamperJwt.key !== undefined ? { key: signingKeyOf(options.tamperJwt.key) } : {}) }) : planExpiryProbe(session, options.now ?? Date.now());
    case 'unissued': return planUnissuedProbe(session);
    case 'fixation': return planFixationProbe(session);
  }
}
export { withProbeFindings } from './probeFindings';
export { probeSarif, type ProbeSarifOptions } from './probeSarif';
