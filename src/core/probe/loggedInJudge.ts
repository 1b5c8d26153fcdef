import { bodySimilarity } from './bodySimilarity';

/** One answer of the server, reduced to what tells logged-in from logged-out. */
export interface AnswerShape {
  readonly status: number;
  /** Location of a redirect, as a path (origin dropped when it is the server's own). */
  readonly location?: string;
  /** The body as text, when known (a HAR may leave it out). */
  readonly body?: string;
}

/** Whether a replayed request was answered as the logged-in one or as a visitor without a session. */
export interface LoggedInJudgement {
  readonly state: 'logged-in' | 'logged-out' | 'undecided';
  /** What was compared, for the report. */
  readonly why: string;
}

/** Bodies closer to one side than the other by at least this much decide. */
export const SIMILARITY_MARGIN = 0.1;
/** Logged-in and anonymous bodies this alike: the page does not depend on the session. */
export const SAME_PAGE_SIMILARITY = 0.98;

function describe(a: AnswerShape): string {
  return a.location !== undefined ? `${a.status} → ${a.location}` : String(a.status);
}

function sameRoute(a: AnswerShape, b: AnswerShape): boolean {
  return a.status === b.status && (a.location ?? '') === (b.location ?? '');
}

/**
 * Judges `replay` (a request sent with an old, expired or planted credential) against `loggedIn`
 * (the answer the same request got while the session was live, from the capture) and `anonymous`
 * (the same request sent now without the credential):
 * 1. a different status or redirect target than the logged-in answer → logged out;
 * 2. the logged-in status and redirect where a visitor without the session gets another → logged in;
 * 3. otherwise the bodies decide: {@link bodySimilarity} to the logged-in body against that to the
 *    anonymous body, closer to one side by at least {@link SIMILARITY_MARGIN}; when the logged-in
 *    and anonymous bodies are themselves alike (≥ {@link SAME_PAGE_SIMILARITY}) or a body is
 *    unknown, undecided.
 */
export function judgeLoggedIn(loggedIn: AnswerShape, replay: AnswerShape, anonymous: AnswerShape): LoggedInJudgement {
  if (!sameRoute(replay, loggedIn)) {
    return { state: 'logged-out', why: `it answered ${describe(replay)} where the logged-in request got ${describe(loggedIn)}` };
  }
  if (!sameRoute(anonymous, loggedIn)) {
    return { state: 'logged-in', why: `it answered ${describe(replay)} like the logged-in request, where a request without the session gets ${describe(anonymous)}` };
  }
  if (loggedIn.body === undefined || replay.body === undefined || anonymous.body === undefined) {
    return { state: 'undecided', why: `every answer was ${describe(replay)} and the capture holds no body of the logged-in answer to compare` };
  }
  const pageAlike = bodySimilarity(loggedIn.body, anonymous.body);
  if (pageAlike >= SAME_PAGE_SIMILARITY) {
    return { state: 'undecided', why: `the page looks the same with and without the session (body similarity ${pageAlike.toFixed(2)})` };
  }
  const toLoggedIn = bodySimilarity(replay.body, loggedIn.body);
  const toAnonymous = bodySimilarity(replay.body, anonymous.body);
  const figures = `body similarity ${toLoggedIn.toFixed(2)} to the logged-in answer, ${toAnonymous.toFixed(2)} to the answer without the session`;
  if (toLoggedIn - toAnonymous >= SIMILARITY_MARGIN) return { state: 'logged-in', why: `its body matches the logged-in answer (${figures})` };
  if (toAnonymous - toLoggedIn >= SIMILARITY_MARGIN) return { state: 'logged-out', why: `its body matches the answer without the session (${figures})` };
  return { state: 'undecided', why: `its body is as close to either answer (${figures})` };
}
