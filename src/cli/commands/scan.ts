import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { formatOption, parseArgs } from '../args';
import { readFileBounded } from '../boundedRead';
import { type CliCommand, type CliIo, UsageError, errorLine } from '../command';
import { LintConfigError, parseLintConfig } from '../../core/lint/config';
import { toSarif } from '../../core/lint/sarif';
import { sarifRuleDocs } from '../ruleDocs';
import { cliVersion as version } from '../version';
import { safeText } from '../../core/safeText';
import { type ScanOptions, type ScanResult, scanFiles } from '../../core/lint/scanner';
import { type Severity, ruleDocsUrl } from '../../core/rules/catalog';

const usage = `Usage: session-lens scan [paths...] [--format text|json|sarif]
                         [--fail-on error|warning|info|never] [--config FILE]
                         [--exclude GLOB]... [--max-findings-per-rule N]

Lints source code and configuration for insecure cookie, session and JWT
settings: JavaScript/TypeScript (Express, express-session, cookie-session,
cookie-parser, Koa, Fastify, Next.js, jsonwebtoken, jose), Python (Flask,
Django settings, Starlette, PyJWT), PHP (setcookie, session settings, php-jwt,
php.ini), Java (Servlet Cookie, Spring ResponseCookie, application.properties
and .yml, jjwt, java-jwt), C# (CookieOptions, AddSession, cookie auth, JWT
validation), Go (net/http, gorilla sessions, golang-jwt) and Ruby (Rails
session_store and cookies, ruby-jwt). Folders are walked; .gitignore files
are honoured and node_modules is skipped.

Arguments:
  paths          files or folders (default: the current folder)

Options:
  --format F     text (default), json or sarif. JSON:
                 { "findings": [{ "ruleId", "severity", "file", "line", "column",
                   "endLine", "endColumn", "message", "docs" }] }
                 lines and columns 1-based, files relative to the current folder.
                 SARIF 2.1.0 for code-scanning tools: each rule's documentation
                 page is embedded (help.text, help.markdown); helpUri only when
                 SESSION_LENS_DOCS_BASE names a web copy of docs/rules/.
  --fail-on L    exit 1 when a finding at or above L exists: error, warning
                 (default), info, or never.
  --config FILE  JSON: { "rules": { "<rule-id>": "off"|"on"|"error"|"warning"|"info" },
                 "maxSessionCookieLifetimeDays": 30, "maxSessionIdleTimeoutMinutes": 30,
                 "maxFindingsPerRule": 100,
                 "exclude": ["vendor/**"], "languages": ["javascript", ...],
                 "gitignore": true }
  --exclude G    leave out files and folders matching the glob (repeatable).
  --max-findings-per-rule N
                 list at most N findings of one rule per file (default 100);
                 one more line per rule and file says how many were left out
                 (in JSON a finding with "omitted": count; in SARIF a tool
                 notification). 0 lists every finding.

Silence one line with a comment on the line above:
  // session-lens-disable-next-line cookie-missing-secure   (# in Python, ; in php.ini)

Exit status:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  a usage error: unknown option, missing path, bad config
Files that cannot be read or decoded are reported on standard error and skipped.
`;

/** A lint config is a few lines of JSON. */
const MAX_CONFIG_BYTES = 1024 * 1024;

const RANK: Readonly<Record<Severity, number>> = { info: 1, warning: 2, error: 3 };

/**
 * Findings of one rule listed per file by default. A generated or minified file can hold tens of
 * thousands of one finding (a 2 MB bundle: 75,000); nobody reads them one by one, and code-scanning
 * services cut SARIF logs far below that. The count of the rest is always printed.
 */
const DEFAULT_MAX_FINDINGS_PER_RULE = 100;
const FAIL_RANK: Readonly<Record<string, number>> = { info: 1, warning: 2, error: 3, never: Infinity };

const rel = (cwd: string, file: string): string => {
  const r = path.relative(cwd, file);
  return (r === '' ? path.basename(file) : r).split(path.sep).join('/');
};

function formatText(result: ScanResult, cwd: string, maxFindingsPerRule: number): string {
  const byFile = new Map<string, ScanResult['findings']>();
  for (const f of result.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const out: string[] = [];
  const count: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let listed = 0;
  let omitted = 0;
  for (const [file, list] of [...byFile].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    out.push(rel(cwd, file));
    const pos = list.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}`);
    const width = pos.reduce((max, p) => Math.max(max, p.length), 0);
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      out.push(`  ${pos[i].padEnd(width)}  ${f.severity.padEnd(7)}  ${f.message}  ${f.ruleId}`);
      if (f.omitted !== undefined) omitted += f.omitted;
      else {
        listed++;
        count[f.severity]++;
      }
    }
    out.push('');
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out.push(listed === 0
    ? `No findings in ${plural(result.files, 'file')}.`
    : `${plural(listed, 'finding')} (${plural(count.error, 'error')}, ${plural(count.warning, 'warning')}, ${count.info} info) in ${byFile.size} of ${plural(result.files, 'file')}.`);
  if (omitted !== 0) out.push(`${omitted} more not listed (at most ${maxFindingsPerRule} per rule and file; --max-findings-per-rule 0 lists all).`);
  // File names and quoted code come from the files scanned: none may drive the terminal.
  return safeText(out.join('\n')) + '\n';
}

function formatJson(result: ScanResult, cwd: string): string {
  const findings = result.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    file: rel(cwd, f.file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    message: f.message,
    docs: ruleDocsUrl(f.ruleId),
    ...(f.omitted !== undefined ? { omitted: f.omitted } : {}),
  }));
  return `${JSON.stringify({ findings }, null, 2)}\n`;
}

/** A whole number ≥ 0 given on the command line. */
function countOption(name: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`option '${name}' must be a whole number, 0 or more (got '${value}')`);
  return Number(value);
}

async function loadConfig(file: string, io: CliIo): Promise<ScanOptions> {
  const text = (await readFileBounded(file, io.cwd, MAX_CONFIG_BYTES, `config ${file}`)).toString('utf8');
  try {
    return parseLintConfig(text, file);
  } catch (err) {
    if (err instanceof LintConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** `session-lens scan`: the lint engine over files and folders, for terminals and CI. */
export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'lint code and config for insecure cookie, session and JWT settings',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, {
      format: formatOption('text', 'json', 'sarif'),
      'fail-on': { type: 'string', choices: ['error', 'warning', 'info', 'never'] },
      config: { type: 'string' },
      exclude: { type: 'string', multiple: true },
      'max-findings-per-rule': { type: 'string' },
    });
    const format = (options.format as string | undefined) ?? 'text';
    const failOn = (options['fail-on'] as string | undefined) ?? 'warning';
    const config = options.config ? await loadConfig(options.config as string, io) : {};
    const maxFindingsPerRule = options['max-findings-per-rule'] === undefined
      ? (config.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE)
      : countOption('--max-findings-per-rule', options['max-findings-per-rule'] as string);
    const paths = positionals.length ? positionals : ['.'];
    for (const p of paths) {
      try {
        await stat(path.resolve(io.cwd, p));
      } catch {
        throw new UsageError(`no such file or folder: ${p}`);
      }
    }
    const result = await scanFiles(paths, {
      ...config,
      cwd: io.cwd,
      maxFindingsPerRule,
      exclude: [...(config.exclude ?? []), ...((options.exclude as string[] | undefined) ?? [])],
    });
    for (const p of result.problems) io.stderr.write(errorLine(`${rel(io.cwd, p.file)}: ${p.message}`));
    if (format === 'json') io.stdout.write(formatJson(result, io.cwd));
    else if (format === 'sarif') {
      // Each rule's page is embedded in the log; a helpUri only where the user named a web base.
      const sarif = toSarif(result, { cwd: io.cwd, version: version(), ...sarifRuleDocs() });
      io.stdout.write(`${JSON.stringify(sarif, null, 2)}\n`);
    }
    else io.stdout.write(formatText(result, io.cwd, maxFindingsPerRule));
    const threshold = FAIL_RANK[failOn];
    return result.findings.some((f) => RANK[f.severity] >= threshold) ? 1 : 0;
  },
};
