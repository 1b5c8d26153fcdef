import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RuleId } from './catalog';

/** A rule's documentation page, in the forms SARIF carries it. */
export interface RuleHelp {
  /** The page as written (Markdown). */
  readonly markdown: string;
  /** The page as plain text (links as "text (url)", no emphasis markers or heading hashes). */
  readonly text: string;
  /** The "What it means" paragraph, plain text. */
  readonly fullDescription: string;
}

/**
 * The folder holding the rule pages (docs/rules/) of the package that contains `from`: the
 * nearest ancestor with docs/rules/README.md. The CLI bundle is dist/cli.js and the sources are
 * src/…, so this is a few levels up at most.
 */
export function findRuleDocsDir(from: string): string | undefined {
  let dir = path.resolve(from);
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Markdown to plain text, for the pages we write ourselves (headings, emphasis, code spans, links). */
export function markdownToText(markdown: string): string {
  // Code spans first and kept apart, so a '*' inside one (`$except = ['*']`) is never emphasis.
  return markdown.split(/(`[^`\n]+`)/).map((part, i) => (i % 2 === 1 ? part.slice(1, -1) : part
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/<(https?:[^>]+)>/g, '$1'))).join('');
}

/** Reads the page of `id` from `docsDir`; undefined when it is missing or unreadable. */
export function readRuleHelp(docsDir: string, id: RuleId): RuleHelp | undefined {
  let markdown: string;
  try {
    markdown = fs.readFileSync(path.join(docsDir, `${id}.md`), 'utf8');
  } catch {
    return undefined;
  }
  const meaning = /^## What it means\s*\n+([\s\S]*?)(?:\n\s*\n|$)/m.exec(markdown)?.[1]?.trim();
  return { markdown, text: markdownToText(markdown), fullDescription: markdownToText(meaning ?? markdown.split('\n')[0]) };
}
