import * as fs from 'node:fs';
import * as path from 'node:path';
import { piecewise } from '../../../src/core/lint/engine';
import type { LintFinding } from '../../../src/core/lint/types';

export const FIXTURE_ROOT = path.resolve(__dirname, '../../fixtures/lint');

/** Every fixture file under test/fixtures/lint, relative paths, sorted. Golden files are not fixtures. */
export function fixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.golden') && !e.name.endsWith('.md')) out.push(path.relative(FIXTURE_ROOT, p));
    }
  };
  walk(FIXTURE_ROOT);
  return out.sort();
}

/**
 * Expectations written in the fixture: `expect: rule-a, rule-b` in a comment on the line where
 * the finding starts, or `expect-next-line: …` on the line before (for formats whose comments
 * must stand alone). Returns sorted "line:ruleId" strings (1-based lines).
 */
export function expectedFindings(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /expect(-next-line)?:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/.exec(line);
    if (!m) return;
    for (const id of m[2].split(/\s*,\s*/)) out.push(`${i + 1 + (m[1] ? 1 : 0)}:${id}`);
  });
  return out.sort();
}

export function actualFindings(findings: readonly LintFinding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.ruleId}`).sort();
}

/**
 * Runs fn with some of the engine's piecewise settings changed (piece lengths, parallel
 * thresholds), restoring only those after: the counters in the same object keep what fn counted.
 */
export async function withPiecewise<T>(settings: Partial<typeof piecewise>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, piecewise[k as keyof typeof piecewise]]));
  Object.assign(piecewise, settings);
  try {
    return await fn();
  } finally {
    Object.assign(piecewise, saved);
  }
}
