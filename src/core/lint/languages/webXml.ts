import type { AnalysisContext, OffsetEdit } from '../analysis';
import type { LanguageAnalyzer } from '../analyzer';
import { type SettingEntry, type SettingValue, checkSettings } from '../settingsSite';

/** One element of the descriptor: `<name>value</name>`, with where its tags and text are. */
interface XmlElement {
  readonly name: string;
  /** Start of `<name>` and end of `</name>`. */
  readonly start: number;
  readonly end: number;
  /** The text between the tags, trimmed, and where it is. */
  readonly text: string;
  readonly textStart: number;
  readonly textEnd: number;
}

/** The text with XML comments blanked out (same length, so offsets stay). */
function withoutComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(-->|$)/g, (c) => c.replace(/[^\n]/g, ' '));
}

/** The first `<name>…</name>` in [from, to), or undefined. Namespace prefixes (`<jee:name>`) are accepted. */
function element(text: string, name: string, from: number, to: number): XmlElement | undefined {
  return elements(text, name, from, to)[0];
}

function elements(text: string, name: string, from: number, to: number): XmlElement[] {
  const out: XmlElement[] = [];
  const re = new RegExp(`<(?:[\\w-]+:)?${name}(\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}\\s*>`, 'g');
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index + m[0].length <= to; m = re.exec(text)) {
    const inner = m[2];
    const innerStart = m.index + m[0].indexOf('>') + 1;
    const lead = inner.length - inner.trimStart().length;
    const trimmed = inner.trim();
    out.push({ name, start: m.index, end: m.index + m[0].length, text: trimmed, textStart: innerStart + lead, textEnd: innerStart + lead + trimmed.length });
  }
  return out;
}

function valueOf(text: string): SettingValue {
  if (/^(true|false)$/i.test(text)) return { kind: 'bool', bool: text.toLowerCase() === 'true', text };
  if (/^-?\d+$/.test(text)) return { kind: 'num', num: Number(text), text };
  if (/\$\{[^}]*\}/.test(text)) return { kind: 'env', text };
  return { kind: 'str', str: text, text };
}

function entryOf(key: string, e: XmlElement): SettingEntry {
  return { name: key, value: valueOf(e.text), start: e.start, end: e.end, valueStart: e.textStart, valueEnd: e.textEnd };
}

/** The cookie-config children the checks read, by setting key. */
const COOKIE_CHILDREN: Readonly<Record<string, string>> = {
  'http-only': 'cookie.http-only', secure: 'cookie.secure', 'max-age': 'cookie.max-age', name: 'cookie.name', domain: 'cookie.domain', path: 'cookie.path',
};

/**
 * web.xml / web-fragment.xml: the `<session-config>` of a Servlet application. Read with a small
 * scanner (the engine ships no XML grammar): the elements it looks at hold plain text.
 */
export const webXmlAnalyzer: LanguageAnalyzer = {
  query: '',
  containers: new Set(),
  keywords: /session-config/,
  declares: () => [],
  analyze: () => undefined,
  finish(_facts, ctx) {
    const text = withoutComments(ctx.text);
    for (const config of elements(text, 'session-config', 0, text.length)) sessionConfig(ctx, text, config);
  },
};

function sessionConfig(ctx: AnalysisContext, text: string, config: XmlElement): void {
  const inner = { from: config.textStart, to: config.textEnd };
  for (const mode of elements(text, 'tracking-mode', inner.from, inner.to)) {
    if (mode.text.toUpperCase() !== 'URL') continue;
    const others = elements(text, 'tracking-mode', inner.from, inner.to).filter((m) => m.text.toUpperCase() !== 'URL');
    ctx.report({
      ruleId: 'session-token-in-url', start: mode.start, end: mode.end,
      message: 'Session tracking by URL writes the session id into links and redirects (;jsessionid=…), where it leaks through logs, Referer headers and shared links and invites session fixation. Track sessions by cookie only.',
      fix: others.some((m) => m.text.toUpperCase() === 'COOKIE')
        ? { title: 'Track sessions by cookie only', edits: [removeLine(ctx.text, mode)] }
        : { title: 'Track sessions by cookie only', edits: [{ start: mode.textStart, end: mode.textEnd, newText: 'COOKIE' }] },
    });
  }
  const entries = new Map<string, SettingEntry>();
  const timeout = element(text, 'session-timeout', inner.from, inner.to);
  if (timeout && /^-?\d+$/.test(timeout.text) && Number(timeout.text) <= 0) {
    ctx.report({
      ruleId: 'session-long-idle-timeout', start: timeout.start, end: timeout.end,
      message: `<session-timeout>${timeout.text}</session-timeout> keeps idle sessions forever. Set a timeout in minutes (at most ${Math.round(ctx.thresholds.maxSessionIdleTimeoutSeconds / 60)}).`,
      fix: { title: `Expire idle sessions after ${Math.round(ctx.thresholds.maxSessionIdleTimeoutSeconds / 60)} minutes`, edits: [{ start: timeout.textStart, end: timeout.textEnd, newText: String(Math.round(ctx.thresholds.maxSessionIdleTimeoutSeconds / 60)) }] },
    });
  } else if (timeout) entries.set('session-timeout', entryOf('session-timeout', timeout));
  const cookie = element(text, 'cookie-config', inner.from, inner.to);
  if (cookie) {
    for (const [child, key] of Object.entries(COOKIE_CHILDREN)) {
      const e = element(text, child, cookie.textStart, cookie.textEnd);
      if (e) entries.set(key, entryOf(key, e));
    }
    // Servlet 6: <attribute><attribute-name>SameSite</attribute-name><attribute-value>Lax</attribute-value></attribute>
    for (const a of elements(text, 'attribute', cookie.textStart, cookie.textEnd)) {
      const n = element(text, 'attribute-name', a.textStart, a.textEnd);
      const v = element(text, 'attribute-value', a.textStart, a.textEnd);
      if (n && v && n.text.toLowerCase() === 'samesite') entries.set('cookie.samesite', { ...entryOf('cookie.samesite', v), start: a.start, end: a.end });
    }
  }
  if (entries.size === 0) return;
  // Children of <cookie-config> go before its end tag, indented like the first child (or one step more).
  const childIndent = cookie ? indentOfFirstChild(ctx.text, cookie) : '';
  checkSettings(ctx, {
    framework: 'web.xml',
    keys: { secure: 'cookie.secure', httpOnly: 'cookie.http-only', sameSite: 'cookie.samesite', domain: 'cookie.domain', path: 'cookie.path', name: 'cookie.name', maxAge: 'cookie.max-age', idle: 'session-timeout' },
    // Secure is off unless configured in every container; HttpOnly and SameSite defaults differ
    // between containers (Tomcat sets HttpOnly, Jetty 9 does not), so a missing one is not judged.
    defaults: { secure: 'false', httpOnly: 'unknown', sameSite: 'unknown', name: 'JSESSIONID' },
    render: (attr, v) => (attr === 'sameSite' ? v.charAt(0).toUpperCase() + v.slice(1) : v),
    add: (name, valueText) => {
      const child = Object.entries(COOKIE_CHILDREN).find(([, k]) => k === name)?.[0];
      if (!cookie || !child) return undefined;
      const endTag = ctx.text.lastIndexOf('</', cookie.end - 1);
      const lineStart = ctx.text.lastIndexOf('\n', endTag - 1) + 1;
      if (!/^[ \t]*$/.test(ctx.text.slice(lineStart, endTag))) return { start: endTag, end: endTag, newText: `<${child}>${valueText}</${child}>` };
      return { start: lineStart, end: lineStart, newText: `${childIndent}<${child}>${valueText}</${child}>\n` };
    },
    anchor: cookie ? { start: cookie.start, end: cookie.start + ctx.text.slice(cookie.start).indexOf('>') + 1 } : { start: config.start, end: config.start + ctx.text.slice(config.start).indexOf('>') + 1 },
    complete: cookie !== undefined,
    maxAgeUnit: 1,
    idleUnit: 60,
    renderLifetime: (days) => String(days * 86400),
  }, entries);
}

function indentOfFirstChild(text: string, parent: XmlElement): string {
  const m = /\n([ \t]*)</.exec(text.slice(parent.textStart - 1, parent.textEnd));
  if (m) return m[1];
  const lineStart = text.lastIndexOf('\n', parent.start - 1) + 1;
  return `${/^[ \t]*/.exec(text.slice(lineStart))![0]}    `;
}

/** Removes an element with its line when it stands alone on it. */
function removeLine(text: string, e: XmlElement): OffsetEdit {
  const lineStart = text.lastIndexOf('\n', e.start - 1) + 1;
  const eol = text.indexOf('\n', e.end);
  if (/^[ \t]*$/.test(text.slice(lineStart, e.start)) && eol !== -1 && /^[ \t]*\r?$/.test(text.slice(e.end, eol))) return { start: lineStart, end: eol + 1, newText: '' };
  return { start: e.start, end: e.end, newText: '' };
}
