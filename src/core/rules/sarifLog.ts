import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { RelatedEvidence } from '../findings';

/** The base every relative location of our logs resolves against: the folder the command ran in. */
export const SRCROOT = '%SRCROOT%';

/** A file as a SARIF URI relative to `cwd` (`/`-separated, each segment percent-encoded). */
export function sarifRelativeUri(file: string, cwd: string): string {
  return path.relative(cwd, path.resolve(cwd, file)).split(path.sep).map(encodeURIComponent).join('/');
}

/**
 * A place in a HAR: the file (absent when the HAR came on standard input), and the exchange as a
 * logical location (`exchange #id`, the id the JSON output and the panel show; `name` says what it
 * is, e.g. `GET https://…/login` or the cookie's name).
 */
export function sarifHarLocation(harUri: string | undefined, exchangeId: number | undefined, name: string): Sarif.Location {
  return {
    ...(harUri !== undefined ? { physicalLocation: { artifactLocation: { uri: harUri, uriBaseId: SRCROOT } } } : {}),
    logicalLocations: [{ name, ...(exchangeId !== undefined ? { fullyQualifiedName: `exchange #${exchangeId}` } : {}), kind: 'request' }],
  };
}

/**
 * The further evidence of a finding as related locations, numbered from 1, each with what it
 * shows: a captured exchange in the HAR, or a request a probe sent, at its URL.
 */
export function sarifRelatedLocations(harUri: string | undefined, evidence: readonly RelatedEvidence[]): Sarif.Location[] {
  return evidence.map((e, i) => ({
    id: i + 1,
    message: { text: `${e.label}: ${e.request.method} ${e.request.url} → ${e.request.status ?? 'no answer'}` },
    ...(e.exchangeId !== undefined
      ? sarifHarLocation(harUri, e.exchangeId, `${e.request.method} ${e.request.url}`)
      : { physicalLocation: { artifactLocation: { uri: e.request.url } } }),
  }));
}

/** What one run of a Session Lens SARIF log holds besides the envelope. */
export interface SarifRunParts {
  /** The folder relative locations are given against (`%SRCROOT%`). */
  readonly cwd: string;
  /** The tool's version; also its `semanticVersion` when it is one. */
  readonly version: string;
  readonly rules: Sarif.ReportingDescriptor[];
  readonly results: Sarif.Result[];
  /** Run fields a command adds: how columns count, tool notifications. */
  readonly extra?: Pick<Sarif.Run, 'columnKind' | 'invocations'>;
}

/**
 * A SARIF 2.1.0 log of one Session Lens run (scan, probe, audit): the tool with its rules, the
 * working folder as `%SRCROOT%`, and the results.
 */
export function sarifLog(parts: SarifRunParts): Sarif.Log {
  const { cwd, version } = parts;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Session Lens',
          version,
          semanticVersion: /^\d+\.\d+\.\d+/.test(version) ? version : undefined,
          rules: parts.rules,
        },
      },
      originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
      ...parts.extra,
      results: parts.results,
    }],
  };
}
