import { COMMON_OPTIONS, formatOption, parseArgs, requireHarAndTarget } from '../args';
import { type CliCommand, UsageError } from '../command';
import { confirmSend } from '../confirmSend';
import { findRefreshableToken, refreshGrant } from '../../core/capture';
import { DEFAULT_PROBE_LIMITS, ProbeInputError, ProbeNetworkError, type ProbeResponse, loopbackOrigin, sendProbeRequest } from '../../core/probe';
import { safeText } from '../../core/safeText';
import { shortValue } from './audit';
import { loadHar } from './probe';

const usage = `Usage: session-lens refresh --har FILE --target URL [--yes] [--format text|json]

Repeats the OAuth refresh grant the captured session allows: finds the newest
token response in FILE that carried a refresh_token, and sends
grant_type=refresh_token with that token to the same token endpoint (path) on the
loopback dev server at URL, in the body format the app used (form or JSON), with
its client_id/scope/audience/resource fields and client Basic authentication.
Prints the answer: the status and, for a token response, what was issued.

Options:
  --har FILE      the captured session (session-lens capture --har FILE, or a
                  browser's export; a --redact HAR has no refresh token to send)
  --target URL    the dev server, e.g. http://127.0.0.1:3000. Loopback only
                  (localhost, 127.0.0.0/8, ::1): any other host is refused.
  --yes           send without asking. Without it the request is listed on
                  standard error and confirmed on a terminal; not on a terminal,
                  the command stops with exit status 2.
  --format F      text (default; token values shortened) or json:
                  { "request": { "method", "url" }, "status",
                    "response": <the JSON answer, tokens in full> | null,
                    "rotated": true|false|null }
                  (rotated: whether a new refresh_token came back)

The request times out after 10 s and at most 1 MiB of the answer is read. Many
servers rotate refresh tokens: the one in FILE is then spent.

Exit status:
  0  the request was answered (whatever the status), or declined at the prompt
  2  bad input: a wrong option, a target that is not loopback or not reachable,
     a HAR without a token response carrying a refresh_token, or no --yes when
     standard input is not a terminal
`;

/** The answer as JSON when it is a JSON object, else undefined. */
function jsonObject(res: ProbeResponse): Record<string, unknown> | undefined {
  if (res.truncated) return undefined;
  try {
    const value: unknown = JSON.parse(res.body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** `session-lens refresh --har FILE --target URL`: the refresh grant of a captured session, against a loopback dev server. */
export const refreshCommand: CliCommand = {
  name: 'refresh',
  summary: 'repeat the OAuth refresh grant seen in a HAR against a loopback dev server',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, {
      ...COMMON_OPTIONS,
      format: formatOption('text', 'json'),
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see session-lens refresh --help)`);
    const { har, target } = requireHarAndTarget('refresh', options, 'the captured session with a token response');
    let origin: string;
    try {
      origin = loopbackOrigin(target);
    } catch (err) {
      if (err instanceof ProbeInputError) throw new UsageError(err.message);
      throw err;
    }
    const store = await loadHar(har, io);
    let grant;
    let oldRefresh: string;
    try {
      const found = findRefreshableToken({ store });
      if (!found) throw new UsageError(`${har} has no token response (a POST answered with a refresh_token) to repeat: log in through the capture so the token endpoint's answer is recorded`);
      if (found.refreshToken.value.includes('[redacted]')) throw new UsageError(`${har} is redacted: its refresh token was replaced by [redacted]; capture with --har but without --redact`);
      grant = refreshGrant(found);
      oldRefresh = found.refreshToken.value;
    } finally {
      store.dispose();
    }
    const url = `${origin}${grant.path}`;
    const plan = safeText(`session-lens refresh will send 1 request to ${origin}:\n  POST ${url}\n     the refresh grant with the refresh token the capture saw (Content-Type ${grant.headers[0][1]})\n`);
    if (options.yes !== true && !(await confirmSend(io, plan, 'this request'))) return 0;
    let res: ProbeResponse;
    try {
      res = await sendProbeRequest({ method: 'POST', url, headers: grant.headers.map(([name, value]) => ({ name, value })), body: grant.body }, DEFAULT_PROBE_LIMITS);
    } catch (err) {
      if (err instanceof ProbeNetworkError || err instanceof ProbeInputError) throw new UsageError(`${err.message}${/^cannot reach /.test(err.message) ? ' (is the dev server running at that address?)' : ''}`);
      throw err;
    }
    const answer = jsonObject(res);
    const rotated = answer === undefined || res.status < 200 || res.status >= 300 ? null : typeof answer.refresh_token === 'string' && answer.refresh_token !== oldRefresh;
    if (options.format === 'json') {
      io.stdout.write(`${JSON.stringify({ request: { method: 'POST', url }, status: res.status, response: answer ?? null, rotated }, null, 2)}\n`);
      return 0;
    }
    const lines = [`POST ${url} → ${res.status}`];
    if (answer) {
      for (const [name, value] of Object.entries(answer)) {
        lines.push(`  ${name}: ${typeof value === 'string' ? (/token/i.test(name) ? shortValue(value) : value) : JSON.stringify(value)}`);
      }
      if (rotated !== null) lines.push(rotated ? 'The server issued a new refresh token (rotation): the one in the HAR is likely spent.' : 'The refresh token was not rotated.');
    } else {
      lines.push(`  (not a JSON object: ${res.body.length} characters${res.truncated ? ', cut at 1 MiB' : ''})`);
    }
    io.stdout.write(`${safeText(lines.join('\n'))}\n`);
    return 0;
  },
};
