import { formatOption, parseArgs } from '../args';
import { byteSize, fileChunksBounded, streamChunksBounded } from '../boundedRead';
import { type CliCommand, UsageError } from '../command';
import { StoreAudit } from '../../core/audit/storeAudit';
import { auditSarif } from '../../core/audit/auditSarif';
import { decodeSignedCookie } from '../../core/signedCookies/decodeSignedCookie';
import { type CookieRecord, type CookieSeen, type Exchange, HarFormatError, type HarImportResult, cookiesSeen, SessionStore, type SessionSnapshot, type TokenRecord, importHarStream } from '../../core/capture';
import type { Finding } from '../../core/findings';
import { safeText } from '../../core/safeText';
import { sarifRuleDocs } from '../ruleDocs';
import { cliVersion } from '../version';

const MAX_HAR_BYTES = 512 * 1024 * 1024;
/**
 * Exchanges the audit's store holds at a time. The import applies entries in start order, so the
 * incremental audit needs none of the older ones (their findings stay when they leave); what the
 * report needs of them (refused Set-Cookies) is taken from the change feed as they finish. This
 * keeps memory bounded by the cookies, tokens and findings, not by the HAR's length. A few hundred
 * are enough to replay an entry that comes late; more only keep objects alive past the young
 * generation, which the garbage collector then copies and promotes (bench/audit).
 */
const HELD_EXCHANGES = 500;
/**
 * Entries (bytes of what they hold) that wait to be applied in start order: browsers write
 * parallel requests a little out of order, never megabytes apart.
 */
const ORDER_WINDOW_BYTES = 16 * 1024 * 1024;
/** And at most this many entries (small API calls weigh little, and the window's entries outlive the young generation). */
const ORDER_WINDOW_ENTRIES = 1000;

const usage = `Usage: session-lens audit <FILE.har|-> [--format text|json|sarif]

Loads a HAR 1.2 file (exported by Chrome, Firefox, Insomnia, Charles or
session-lens capture --har) and prints the cookies the browser ended up with,
the tokens seen, and the findings of the traffic audit.

The HAR is read one entry at a time and each exchange is audited once, as it
is read (the incremental audit): memory grows with the cookies, tokens and
findings, not with the number of entries or their bodies (each body is read
up to its first 1 MiB for tokens, and not kept). Files up to 512 MiB are read;
a single entry over 64 MiB is skipped and reported as a note.

Arguments:
  <FILE.har>     the HAR file; '-' reads it from standard input. The journal an
                 interrupted 'capture --har FILE' leaves (FILE.<pid>.journal, a
                 HAR never closed) is read too: its complete entries, with a note.

Options:
  --format F     text (default), json or sarif. JSON:
                 { "cookies": [{ name, value, domain, path, state, hostOnly,
                   expires, maxAge, secure, httpOnly, sameSite, partitioned,
                   priority, size, origin, firstSeen, lastSeen, decoded }],
                 every cookie seen: state "live" (in the jar; all fields), or
                 "deleted", "expired", "evicted" (with its last value, "ended",
                 "reason" for evictions), or "rejected" (refused by the jar, with
                 "rejectedReason"); "decoded" for framework-signed values
                 (Flask, Django, express-session, cookie-session), also of gone ones.
                   "tokens": [{ kind, source, name, value, expiresAt, isJwt, flags }],
                   "findings": [{ ruleId, severity, subject, message, evidence, docs }] }
                 Times are ISO 8601 (null when absent). Text output shortens values;
                 JSON prints them in full.
                 SARIF 2.1.0: the findings only, one result each at its rule's
                 level, located in FILE with the exchange as a logical location
                 ("exchange #ID", as evidence.exchangeId in JSON), the other
                 exchanges a finding rests on as relatedLocations; every traffic
                 rule with its page from docs/rules embedded; import notes as
                 tool notifications. The header a finding quotes (it can hold a
                 live cookie or token) is left out.

Exit status:
  0  the file was audited (whatever the findings)
  2  the file is missing, not JSON or not a HAR, or an option is wrong
`;

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

/** The cookie as the JSON output lists it. */
export function cookieJson(c: CookieRecord): Record<string, unknown> {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    hostOnly: c.hostOnly,
    expires: iso(c.expiresAt),
    maxAge: c.maxAge ?? null,
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: c.sameSite ?? c.sameSiteRaw ?? null,
    partitioned: c.partitioned,
    priority: c.priority ?? null,
    size: c.size,
    origin: c.origin,
    firstSeen: iso(c.firstSeen),
    lastSeen: iso(c.lastSeen),
  };
}

/** Any cookie the session saw, with its state, as the JSON output lists it (decoded where a framework signed it). */
export function cookieSeenJson(c: CookieSeen): Record<string, unknown> {
  const decoded = c.value ? decodeSignedCookie(c.name, c.value) : undefined;
  const base = c.record ? cookieJson(c.record) : {
    name: c.name, value: c.value, domain: c.domain, path: c.path || null,
    ended: iso(c.endedAt), exchangeId: c.exchangeId ?? null,
  };
  return {
    ...base,
    state: c.state,
    ...(c.state === 'rejected' ? { rejectedReason: c.reason ?? null } : c.reason ? { reason: c.reason } : {}),
    ...(decoded ? { decoded: { framework: decoded.framework, readable: decoded.readable, content: decoded.readable ? decoded.content ?? null : null, signedAt: iso(decoded.timestamp) } } : {}),
  };
}

/** The token as the JSON output lists it. */
export function tokenJson(t: TokenRecord): Record<string, unknown> {
  return { kind: t.kind, source: t.source, name: t.name, value: t.value, expiresAt: iso(t.expiresAt), isJwt: t.isJwt, flags: t.flags };
}

/** A value shortened for terminal output: enough to recognise, not enough to reuse. */
export function shortValue(v: string): string {
  return v.length <= 12 ? v : `${v.slice(0, 8)}…(${v.length} chars)`;
}

function textReport(snapshot: SessionSnapshot, findings: readonly Finding[], label: string, imported: number, warnings: readonly string[]): string {
  const lines: string[] = [`${label}: ${imported} exchange${imported === 1 ? '' : 's'}`];
  for (const w of warnings) lines.push(`  note: ${w}`);
  lines.push('', `Cookies (${snapshot.cookies.length})`);
  for (const c of snapshot.cookies) {
    const flags = [c.secure ? 'Secure' : '', c.httpOnly ? 'HttpOnly' : '', c.sameSite ? `SameSite=${c.sameSite}` : '', c.partitioned ? 'Partitioned' : ''].filter(Boolean).join(' ');
    const expiry = c.expiresAt === undefined ? 'session' : `expires ${iso(c.expiresAt)}`;
    lines.push(`  ${c.name}=${shortValue(c.value)}  ${c.domain}${c.path}  ${expiry}${flags ? `  ${flags}` : ''}${c.origin === 'seen-in-request' ? '  (seen in request)' : ''}`);
  }
  lines.push('', `Tokens (${snapshot.tokens.length})`);
  for (const t of snapshot.tokens) {
    const expiry = t.expiresAt === undefined ? '' : `  expires ${iso(t.expiresAt)}`;
    lines.push(`  ${t.kind.padEnd(14)} ${t.source}${t.name ? ` ${t.name}` : ''}  ${shortValue(t.value)}${expiry}${t.flags.length ? `  [${t.flags.join(', ')}]` : ''}`);
  }
  lines.push('', `Findings (${findings.length})`);
  for (const f of findings) lines.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.subject}: ${f.message}`);
  // Cookie names, values and URLs come from the HAR: none may drive the terminal.
  return safeText(lines.join('\n')) + '\n';
}

/** What {@link readHarForAudit} read: the store (the last exchanges), the import's result, and the exchanges a Set-Cookie of which the jar refused. */
export interface HarReadForAudit<T> {
  readonly store: SessionStore;
  readonly result: HarImportResult;
  readonly refusing: readonly Exchange[];
  /** What `attach` returned. */
  readonly attached: T;
}

/**
 * Streams a HAR into a store as `session-lens audit` does (bounded: the last exchanges held, no
 * body previews, entries put in time order in a bounded window). `attach` is called with the
 * store before the import (the command attaches its audit there; bench/audit attaches none to
 * measure the import alone).
 */
export async function readHarForAudit<T>(chunks: AsyncIterable<Buffer | string>, label: string, attach: (store: SessionStore) => T): Promise<HarReadForAudit<T>> {
  // No body previews: nothing in the report shows them.
  const store = new SessionStore({ capacity: HELD_EXCHANGES, throttleMs: 0, retainedPreviewBytes: 0 });
  const attached = attach(store);
  /** Exchanges with a Set-Cookie the jar refused, for the cookie list (the store does not keep them all). */
  const refusing: Exchange[] = [];
  const refusals = store.onDidChange((e) => {
    for (const c of e.changes) {
      if (c.kind === 'cleared') refusing.length = 0;
      else if (c.kind === 'exchange-finished' && c.exchange.cookiesSet.some((sc) => sc.outcome === 'rejected')) refusing.push(c.exchange);
    }
  });
  let result: HarImportResult;
  try {
    result = await importHarStream(store, chunks, { orderWindowBytes: ORDER_WINDOW_BYTES, orderWindowEntries: ORDER_WINDOW_ENTRIES });
  } catch (err) {
    if (err instanceof HarFormatError) throw new UsageError(`${label} is ${err.message.startsWith('not ') ? err.message : `not usable: ${err.message}`}`);
    throw err;
  } finally {
    refusals.dispose();
  }
  return { store, result, refusing, attached };
}

/** The JSON report of `session-lens audit`: every cookie seen, the tokens, the findings. */
export function auditJson(snapshot: SessionSnapshot, refusing: readonly Exchange[], findings: readonly Finding[]): string {
  return `${JSON.stringify({ cookies: cookiesSeen({ ...snapshot, exchanges: refusing }).map(cookieSeenJson), tokens: snapshot.tokens.map(tokenJson), findings }, null, 2)}\n`;
}

/** `session-lens audit FILE.har`: cookies, tokens and findings of a HAR. */
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'audit a HAR file: cookies, tokens and findings',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, { format: formatOption('text', 'json', 'sarif') });
    if (positionals.length === 0) throw new UsageError('audit needs a HAR file (see session-lens audit --help)');
    if (positionals.length > 1) throw new UsageError(`audit takes one HAR file (got ${positionals.length} arguments)`);
    const file = positionals[0];
    const label = file === '-' ? 'standard input' : file;
    const chunks = file === '-'
      ? streamChunksBounded(io.stdin, MAX_HAR_BYTES, `standard input is larger than ${byteSize(MAX_HAR_BYTES)}; that is not a HAR file this tool can load`)
      : fileChunksBounded(file, io.cwd, MAX_HAR_BYTES, file);
    // Audits each exchange as the import finishes it (see StoreAudit), not the whole session at the end.
    // The report reads the findings once, at the end: each JWT location is analysed once, then.
    const { store, result, refusing, attached: audit } = await readHarForAudit(chunks, label, (s) => new StoreAudit(s, undefined, { deferJwtAnalysis: true }));
    const snapshot = store.snapshot();
    const findings = audit.findings();
    if (options.format === 'json') {
      io.stdout.write(auditJson(snapshot, refusing, findings));
    } else if (options.format === 'sarif') {
      const sarif = auditSarif(findings, { ...(file === '-' ? {} : { har: file }), cwd: io.cwd, version: cliVersion(), notes: result.warnings, ...sarifRuleDocs() });
      io.stdout.write(`${JSON.stringify(sarif, null, 2)}\n`);
    } else {
      io.stdout.write(textReport(snapshot, findings, label, result.imported, result.warnings));
    }
    audit.dispose();
    store.dispose();
    return 0;
  },
};
