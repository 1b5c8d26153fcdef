import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMON_OPTIONS, formatOption, parseArgs, requireHarAndTarget } from '../args';
import { fileChunksBounded } from '../boundedRead';
import { type CliIo, type CliCommand, UsageError } from '../command';
import { confirmSend } from '../confirmSend';
import { HarFormatError, SessionStore, importHarStream } from '../../core/capture';
import { PROBE_KINDS, type ProbeKind, type ProbePlan, type ProbeResult, ProbeInputError, planProbe, probeSarif } from '../../core/probe';
import { safeText } from '../../core/safeText';
import { sarifRuleDocs } from '../ruleDocs';
import { cliVersion } from '../version';

const MAX_HAR_BYTES = 512 * 1024 * 1024;
/** Bodies kept per exchange: a login form and the pages compared must be whole. */
const KEPT_BODY_BYTES = 1024 * 1024;

const usage = `Usage: session-lens probe <logout|expiry|unissued|fixation> --har FILE --target URL
                          [--yes] [--format text|json|sarif]
       session-lens probe expiry --har FILE --target URL (--tamper-jwt | --jwt-key KEY) ...

Confirms on your dev server what the traffic audit can only guess: sends a few
requests built from the captured session in FILE to the loopback server at URL,
and says what it sent and why it concluded what it did.

Probes:
  logout    after the captured logout, replays a page viewed logged in before it
            with the session cookie / bearer token of then. Still logged in:
            session-not-invalidated-on-logout, confirmed (error). Otherwise the
            server rejects the old id (the passive finding is lowered to info).
  expiry    replays a page with a session cookie or JWT whose expiry has passed
            (and no other session credential). Still logged in:
            session-expiry-not-enforced.
            With --tamper-jwt or --jwt-key it does not wait for an expiry: it
            sends the newest JWT the capture carried as issued (the control that
            it still logs in) and with exp an hour in the past:
              --jwt-key: re-signed with the server's key. Still logged in:
                confirmed; logged out: refuted (the server checks exp).
              --tamper-jwt alone: the original signature is kept, so it no
                longer matches. Still logged in: confirmed (the server checks
                neither signature nor exp); logged out: inconclusive (a server
                that verifies signatures rejects it for the signature alone).
            If the token as issued no longer logs in: inconclusive.
  unissued  sends a made-up session id shaped like the captured ones. The server
            sets it back, or gives a new id to a visitor without one but not to
            this one: session-id-accepted-unissued.
  fixation  plants an id the server hands a fresh visitor, replays the captured
            login with it, then views a page logged in with it. The id survives
            the login: session-fixation, confirmed.

"Logged in" is judged against the captured answer of the same page and a control
request sent without the session: the status and redirect target first, then
the body similarity (Dice coefficient of the bodies' word multisets); the replay
must be closer to one side by 0.1 or more, else the verdict is inconclusive.

Options:
  --har FILE      the captured session (session-lens capture --har FILE, or a
                  browser's export; a --redact HAR cannot replay a login)
  --target URL    the dev server, e.g. http://127.0.0.1:3000. Loopback only
                  (localhost, 127.0.0.0/8, ::1): any other host is refused.
  --yes           send without asking. Without it the requests are listed on
                  standard error and confirmed on a terminal; not on a terminal,
                  the command stops with exit status 2.
  --tamper-jwt    expiry only: tamper the captured JWT instead of waiting for
                  it to expire (see above)
  --jwt-key KEY   expiry only, implies --tamper-jwt: the key the server signs
                  its JWTs with, to re-sign the expired token. KEY is file:PATH
                  or a PATH (a file holding an HMAC secret, a PEM private key or
                  a private JWK, as --rule's tamper key), or secret:TEXT (the
                  secret itself; it stays in your shell history). The key must
                  verify the captured token's signature, else exit status 2.
  --format F      text (default), json or sarif. JSON:
                  { "probe", "verdict": "confirmed"|"refuted"|"inconclusive",
                    "ruleId", "reason", "requests": [{ "method", "url", "status" }],
                    "evidence": [{ "label", "exchangeId", "method", "url", "status" }] }
                  (status is null for a request that got no answer; evidence,
                  when the finding needs more than one exchange to be proved —
                  the logout probe's request before the logout and its replay
                  after — lists each; exchangeId only for captured ones).
                  SARIF 2.1.0: one result (fail when confirmed, pass when
                  refuted, open when inconclusive) at the HAR, with the
                  evidence as relatedLocations.

Every request times out after 10 s and at most 1 MiB of each answer is read.
Probes change state on the server (a replayed login logs in; the control requests
start new sessions): run them against development servers only.

Exit status:
  0  the probe ran (whatever the verdict), or was declined at the prompt
  2  bad input: a wrong option, a target that is not loopback or not reachable,
     a HAR that cannot answer the question (no logout captured...), or no --yes
     when standard input is not a terminal
`;

function planText(plan: ProbePlan): string {
  const lines = [`session-lens probe ${plan.probe} will send ${plan.steps.length} request${plan.steps.length === 1 ? '' : 's'} to ${plan.target}:`];
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.method} ${s.url}`, `     ${s.why}`));
  return safeText(lines.join('\n')) + '\n';
}

function resultText(result: ProbeResult): string {
  const lines = [`probe ${result.probe}: ${result.verdict} (${result.ruleId})`, '', 'Sent:'];
  result.requests.forEach((r, i) => lines.push(`  ${i + 1}. ${r.method} ${r.url} → ${r.status ?? `no answer (${r.error ?? 'failed'})`}`, `     ${r.why}`));
  lines.push('', `Why: ${result.reason}`);
  if (result.finding) lines.push('', `Finding: ${result.finding.severity} ${result.finding.ruleId}  ${result.finding.subject}: ${result.finding.message}`, `  ${result.finding.docs}`);
  const evidence = result.finding?.relatedEvidence ?? [];
  if (evidence.length > 0) {
    lines.push('', 'Evidence:');
    for (const e of evidence) lines.push(`  - ${e.label}`, `    ${e.request.method} ${e.request.url} → ${e.request.status ?? 'no answer'}`);
  }
  // URLs, cookie names and values come from the HAR and the server: none may drive the terminal.
  return safeText(lines.join('\n')) + '\n';
}

/** Longest key file read: a PEM or JWK of the largest RSA key is a few KiB. */
const MAX_KEY_BYTES = 64 * 1024;

/** The key text of --jwt-key: secret:TEXT, file:PATH or PATH (relative to the working directory). */
function jwtKeyText(arg: string, io: CliIo): string {
  if (arg.startsWith('secret:')) return arg.slice(7);
  const path = resolve(io.cwd, arg.startsWith('file:') ? arg.slice(5) : arg);
  try {
    if (statSync(path).size > MAX_KEY_BYTES) throw new UsageError(`--jwt-key ${path} is larger than ${MAX_KEY_BYTES / 1024} KiB: not a key`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read the --jwt-key file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (give file:PATH, a PATH, or secret:TEXT)`);
  }
}

export async function loadHar(file: string, io: CliIo): Promise<SessionStore> {
  const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0, retainedPreviewBytes: KEPT_BODY_BYTES });
  try {
    await importHarStream(store, fileChunksBounded(file, io.cwd, MAX_HAR_BYTES, file));
  } catch (err) {
    store.dispose();
    if (err instanceof HarFormatError) throw new UsageError(`${file} is ${err.message.startsWith('not ') ? err.message : `not usable: ${err.message}`}`);
    throw err;
  }
  return store;
}

/** `session-lens probe KIND --har FILE --target URL`: confirm a session finding on a loopback dev server. */
export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'confirm logout, expiry, unissued-id and fixation findings on a loopback dev server',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, {
      ...COMMON_OPTIONS,
      format: formatOption('text', 'json', 'sarif'),
      'tamper-jwt': { type: 'boolean' },
      'jwt-key': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(`probe needs one of ${PROBE_KINDS.join(', ')} (see session-lens probe --help)`);
    const kind = positionals[0];
    if (!PROBE_KINDS.includes(kind as ProbeKind)) throw new UsageError(`unknown probe '${kind}' (one of ${PROBE_KINDS.join(', ')})`);
    const { har, target } = requireHarAndTarget('probe', options, 'the captured session to replay');
    const jwtKey = options['jwt-key'];
    const tampering = options['tamper-jwt'] === true || typeof jwtKey === 'string';
    if (tampering && kind !== 'expiry') throw new UsageError(`--tamper-jwt and --jwt-key belong to the expiry probe, not ${kind}`);
    const keyText = typeof jwtKey === 'string' ? jwtKeyText(jwtKey, io) : undefined;
    let plan: ProbePlan;
    const store = await loadHar(har, io);
    try {
      plan = planProbe(kind as ProbeKind, store.snapshot(), target, tampering ? { tamperJwt: keyText !== undefined ? { key: keyText } : {} } : {});
    } catch (err) {
      if (err instanceof ProbeInputError) throw new UsageError(err.message);
      throw err;
    } finally {
      store.dispose();
    }
    if (options.yes !== true && !(await confirmSend(io, planText(plan), 'these requests'))) return 0;
    let result: ProbeResult;
    try {
      result = await plan.run();
    } catch (err) {
      if (err instanceof ProbeInputError) throw new UsageError(err.message);
      throw err;
    }
    if (options.format === 'json') {
      const evidence = result.finding?.relatedEvidence?.map((e) => ({ label: e.label, ...(e.exchangeId !== undefined ? { exchangeId: e.exchangeId } : {}), method: e.request.method, url: e.request.url, status: e.request.status ?? null }));
      const json = {
        probe: result.probe, verdict: result.verdict, ruleId: result.ruleId, reason: result.reason,
        requests: result.requests.map((r) => ({ method: r.method, url: r.url, status: r.status ?? null })),
        ...(evidence ? { evidence } : {}),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else if (options.format === 'sarif') {
      io.stdout.write(`${JSON.stringify(probeSarif(result, { har, cwd: io.cwd, version: cliVersion(), ...sarifRuleDocs() }), null, 2)}\n`);
    } else {
      io.stdout.write(resultText(result));
    }
    return 0;
  },
};
