import * as vscode from 'vscode';
import { isJwtShaped } from '../core/jwt/detect';
import { CommandId } from './commandIds';
import { readSettings } from './config';
import { jwtEngine } from './engines/index';

/** A compact JWS (3 segments) or JWE (5): the only words the hover looks at. */
const TOKEN_WORD = /[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){2,4}/;
/** Markdown-escapes text from the file (no HTML, no links); unlike appendText, spaces stay breakable. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, '\\$&');
}

/** Lines longer than this (minified bundles, data dumps) are not searched. */
const MAX_LINE = 100_000;

/**
 * Hover on a JWT anywhere (string literals, .env, .http files, logs): header, claims, human
 * dates, time left, findings, and a link that decodes it in Session Lens. Only the word under the
 * cursor is examined, and only a word shaped like a JWT loads the decoder.
 */
export class JwtHoverProvider implements vscode.HoverProvider {
  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (document.lineAt(position.line).text.length > MAX_LINE) return undefined;
    const range = document.getWordRangeAtPosition(position, TOKEN_WORD);
    if (!range) return undefined;
    const token = document.getText(range);
    if (!token.startsWith('eyJ') || !isJwtShaped(token)) return undefined;
    const summary = jwtEngine().jwtSummary(token, Date.now(), { maxTokenLifetimeSec: readSettings().maxTokenLifetime });
    if (!summary) return undefined;
    // Claims come from the file: code blocks only, no HTML, and only our own command is enabled.
    const out = new vscode.MarkdownString(undefined, true);
    out.isTrusted = { enabledCommands: [CommandId.DecodeToken] };
    out.supportHtml = false;
    out.appendMarkdown(`**Session Lens**: ${md(summary.title)}, ${summary.expired ? '$(warning) ' : ''}${md(summary.status)}\n\n`);
    for (const t of summary.times) out.appendMarkdown(`\`${t.claim}\` ${md(t.text)}  \n`);
    if (summary.claims !== undefined) out.appendCodeblock(summary.claims, 'json');
    out.appendCodeblock(summary.header, 'json');
    for (const f of summary.findings.slice(0, 6)) out.appendMarkdown(`\n- \`${f.ruleId}\` (${f.severity}): ${md(f.message)}`);
    if (summary.findings.length > 6) out.appendMarkdown(`\n- and ${summary.findings.length - 6} more`);
    const args = encodeURIComponent(JSON.stringify([token]));
    out.appendMarkdown(`\n\n[Decode in Session Lens](command:${CommandId.DecodeToken}?${args})`);
    return new vscode.Hover(out, range);
  }
}
