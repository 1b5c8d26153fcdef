import { type RelatedEvidence, makeFinding } from '../findings';
import type { RuleId, Severity } from '../rules/catalog';
import type { Exchange } from '../session/types';
import { type CapturedSession, type ReplayCredentials, capturedLocation } from './capturedSession';
import { type AnswerShape, type LoggedInJudgement, judgeLoggedIn } from './loggedInJudge';
import { type ProbeResponse, ProbeNetworkError, sendProbeRequest } from './probeHttp';
import { type PlannedStep, type ProbeKind, type ProbeLimits, type ProbeRequest, type ProbeResult, type ProbeVerdict, type SentRequest, DEFAULT_PROBE_LIMITS, ProbeInputError } from './types';

/** What a probe will do: the requests to list for confirmation, and the run itself. */
export interface ProbePlan {
  readonly probe: ProbeKind;
  readonly ruleId: RuleId;
  /** The target origin every request goes to. */
  readonly target: string;
  /** The requests, in order, as the confirmation lists them. */
  readonly steps: readonly PlannedStep[];
  /** Sends the requests and concludes. Network failures make the result inconclusive. */
  run(limits?: Partial<ProbeLimits>): Promise<ProbeResult>;
}

/** A run in progress: sends requests in order and keeps the record of what was sent. */
export class ProbeRun {
  readonly sent: SentRequest[] = [];
  private readonly limits: ProbeLimits;

  constructor(readonly probe: ProbeKind, readonly ruleId: RuleId, limits: Partial<ProbeLimits> = {}) {
    this.limits = { ...DEFAULT_PROBE_LIMITS, ...limits };
  }

  /** Sends one request; a target that refuses the connection is bad input (the URL is wrong or the server is down). */
  async send(request: ProbeRequest, why: string): Promise<ProbeResponse> {
    try {
      const res = await sendProbeRequest(request, this.limits);
      this.sent.push({ method: request.method, url: request.url, status: res.status, why });
      return res;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.sent.push({ method: request.method, url: request.url, why, error: message });
      if (this.sent.length === 1 && err instanceof ProbeNetworkError && /^cannot reach /.test(message)) {
        throw new ProbeInputError(`${message} (is the dev server running at that address?)`);
      }
      throw err;
    }
  }

  /** The result, with `finding` when the verdict is one the user should see as a finding. */
  result(verdict: ProbeVerdict, reason: string, finding?: { subject: string; message: string; severity: Severity; exchangeId?: number; related?: readonly RelatedEvidence[] }): ProbeResult {
    const requests = this.sent.map(({ method, url, status }) => ({ method, url, ...(status !== undefined ? { status } : {}) }));
    return {
      probe: this.probe,
      verdict,
      ruleId: this.ruleId,
      reason,
      requests: this.sent,
      ...(finding && verdict !== 'inconclusive' ? {
        finding: makeFinding(this.ruleId, finding.subject, finding.message, {
          severity: finding.severity,
          ...(finding.exchangeId !== undefined ? { evidence: { exchangeId: finding.exchangeId } } : {}),
          confirmation: { state: verdict, probe: this.probe, reason, requests },
          ...(finding.related ? { relatedEvidence: finding.related } : {}),
        }),
      } : {}),
    };
  }

  /** Runs `body`; a request that fails midway (timeout, reset) makes the result inconclusive. */
  async guard(body: () => Promise<ProbeResult>): Promise<ProbeResult> {
    try {
      return await body();
    } catch (err) {
      if (err instanceof ProbeNetworkError) return this.result('inconclusive', `a request failed, so nothing can be concluded: ${err.message}`);
      throw err;
    }
  }
}

/** The captured answer of `ex`, as the judge compares it. */
export function capturedAnswer(ex: Exchange): AnswerShape {
  const location = capturedLocation(ex);
  const body = ex.responseBody?.text !== undefined && !ex.responseBody.truncated ? ex.responseBody.text : undefined;
  return { status: ex.status ?? 0, ...(location !== undefined ? { location } : {}), ...(body !== undefined ? { body } : {}) };
}

/** A live answer, as the judge compares it (a truncated body is not compared). */
export function liveAnswer(res: ProbeResponse): AnswerShape {
  return { status: res.status, ...(res.location !== undefined ? { location: res.location } : {}), ...(!res.truncated ? { body: res.body } : {}) };
}

/**
 * Replays the page view `reference` with `credentials` and without the session, and judges
 * whether the credentials still log in (see {@link judgeLoggedIn}).
 */
export async function replayAndJudge(
  run: ProbeRun, session: CapturedSession, reference: Exchange, credentials: ReplayCredentials, why: string,
): Promise<LoggedInJudgement> {
  const replay = await run.send(session.replay(reference, credentials), why);
  const anonymous = await run.send(session.replay(reference, session.withoutSession(reference)), ANONYMOUS_WHY);
  return judgeLoggedIn(capturedAnswer(reference), liveAnswer(replay), liveAnswer(anonymous));
}

/** A captured exchange as related evidence: its request as the capture saw it, and its status. */
export function capturedEvidence(ex: Exchange, label: string): RelatedEvidence {
  return { label, exchangeId: ex.id, request: { method: ex.method, url: ex.url, ...(ex.status !== undefined ? { status: ex.status } : {}) } };
}

/** The `index`th request this run sent, as related evidence. */
export function sentEvidence(run: ProbeRun, index: number, label: string): RelatedEvidence {
  const r = run.sent[index];
  return { label, request: { method: r.method, url: r.url, ...(r.status !== undefined ? { status: r.status } : {}) } };
}

/** Why the control request without the session is sent. */
export const ANONYMOUS_WHY = 'without the session: how the page looks to a visitor who is not logged in (the control)';
