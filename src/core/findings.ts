import { type RuleId, type Severity, ruleDocsUrl, ruleInfo } from './rules/catalog';

/** Where a finding was seen: an exchange of the capture, a header, or a place in code. */
export interface Evidence {
  /** Id of the exchange in the session store (live capture or imported HAR). */
  readonly exchangeId?: number;
  /** The header line the finding is about, as sent (values may be masked by the UI). */
  readonly header?: string;
  /** Workspace-relative or absolute file path, for code findings. */
  readonly file?: string;
  /** 1-based line and column, for code findings. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * One more piece of evidence of a finding that needs several to be proved (the logout probe's
 * request before the logout and its replay after): a captured exchange, or a request a probe
 * sent, with what it shows.
 */
export interface RelatedEvidence {
  /** What this piece shows: "before the logout: logged in", "replayed after the logout: still logged in". */
  readonly label: string;
  /** The captured exchange, when the evidence is one (absent for a request a probe sent itself). */
  readonly exchangeId?: number;
  /** The request and the status of its answer (absent when no answer came). */
  readonly request: { readonly method: string; readonly url: string; readonly status?: number };
}

/**
 * What an active probe against the dev server (`session-lens probe`, the Verify … on the Server
 * commands) made of a finding. Absent on findings nobody probed.
 */
export interface FindingConfirmation {
  /** confirmed: the server showed the problem; refuted: the server did the right thing. */
  readonly state: 'confirmed' | 'refuted';
  /** The probe that decided it: logout, expiry, unissued or fixation. */
  readonly probe: string;
  /** Why the probe concluded what it did, in a sentence or two. */
  readonly reason: string;
  /** The requests the probe sent, with the status of each answer. */
  readonly requests: readonly { readonly method: string; readonly url: string; readonly status?: number }[];
}

/** One problem found in traffic, a token or code. Plain data: safe to post to the webview or print. */
export interface Finding {
  readonly ruleId: RuleId;
  readonly severity: Severity;
  /** What the finding is about: a cookie name, a token description. */
  readonly subject: string;
  /** What is wrong and what to change. */
  readonly message: string;
  readonly evidence?: Evidence;
  /** Link to the rule's documentation page. */
  readonly docs: string;
  /** Set when an active probe confirmed or refuted the finding on the server. */
  readonly confirmation?: FindingConfirmation;
  /** Further evidence, in order, when one exchange does not prove the finding (`evidence` stays the main one). */
  readonly relatedEvidence?: readonly RelatedEvidence[];
}

/** Builds a finding with the rule's default severity and documentation link. */
export function makeFinding(
  ruleId: RuleId,
  subject: string,
  message: string,
  options: { severity?: Severity; evidence?: Evidence; confirmation?: FindingConfirmation; relatedEvidence?: readonly RelatedEvidence[] } = {},
): Finding {
  return {
    ruleId,
    severity: options.severity ?? ruleInfo(ruleId).severity,
    subject,
    message,
    ...(options.evidence ? { evidence: options.evidence } : {}),
    docs: ruleDocsUrl(ruleId),
    ...(options.confirmation ? { confirmation: options.confirmation } : {}),
    ...(options.relatedEvidence && options.relatedEvidence.length > 0 ? { relatedEvidence: options.relatedEvidence } : {}),
  };
}
