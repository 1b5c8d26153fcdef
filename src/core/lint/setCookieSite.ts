import { parseSetCookie } from '../cookies/setCookie';
import type { AnalysisContext, OffsetEdit } from './analysis';
import { type AttrWriter, type CookieAttr, type CookieSite, checkCookieSite } from './cookieChecks';

interface Segment {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Offsets of the value after '=', when there is one. */
  readonly valueStart?: number;
}

const ATTR_TEXT: Readonly<Record<CookieAttr, (v: string) => string>> = {
  secure: () => 'Secure',
  httpOnly: () => 'HttpOnly',
  sameSite: (v) => `SameSite=${v.charAt(0).toUpperCase()}${v.slice(1)}`,
  path: (v) => `Path=${v}`,
  domain: (v) => `Domain=${v}`,
  name: (v) => v,
  partitioned: () => 'Partitioned',
};

/**
 * Checks a Set-Cookie header written as a string literal in code. `contentStart` is the offset
 * of the first character inside the quotes; the literal's characters map one to one onto `content`.
 */
export function checkSetCookieString(
  ctx: AnalysisContext,
  p: {
    readonly content: string;
    readonly contentStart: number;
    /** The literal (for ranges). */
    readonly anchor: { readonly start: number; readonly end: number };
    readonly framework: string;
    /** False when part of the attributes is computed at run time. */
    readonly complete: boolean;
  },
): void {
  const parsed = parseSetCookie(p.content);
  if (!parsed || parsed.name === '') return;
  const segments: Segment[] = [];
  let pos = p.content.indexOf(';');
  while (pos !== -1) {
    const next = p.content.indexOf(';', pos + 1);
    const end = next === -1 ? p.content.length : next;
    const raw = p.content.slice(pos + 1, end);
    const eq = raw.indexOf('=');
    const name = (eq === -1 ? raw : raw.slice(0, eq)).trim();
    if (name) segments.push({ name: name.toLowerCase(), start: pos, end, ...(eq !== -1 ? { valueStart: pos + 1 + eq + 1 } : {}) });
    pos = next;
  }
  const seg = (n: string) => segments.find((s) => s.name === n);
  const abs = (o: number) => p.contentStart + o;
  const trimmedEnd = p.content.replace(/[\s;]+$/, '').length;

  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      let append = '';
      for (const [attr, value] of changes) {
        if (attr === 'name') {
          const nameStart = p.content.length - p.content.trimStart().length;
          edits.push({ start: abs(nameStart), end: abs(nameStart + parsed.name.length), newText: value });
          continue;
        }
        const existing = seg(attr.toLowerCase());
        if (existing && existing.valueStart !== undefined) {
          edits.push({ start: abs(existing.valueStart), end: abs(existing.end), newText: ATTR_TEXT[attr](value).replace(/^[^=]*=/, '') });
        } else if (!existing) {
          append += `; ${ATTR_TEXT[attr](value)}`;
        }
      }
      if (append) edits.push({ start: abs(trimmedEnd), end: abs(trimmedEnd), newText: append });
      return edits;
    },
    setLifetime(days) {
      const maxAge = seg('max-age');
      if (maxAge && maxAge.valueStart !== undefined) return [{ start: abs(maxAge.valueStart), end: abs(maxAge.end), newText: String(days * 86400) }];
      const expires = seg('expires');
      if (expires) return [{ start: abs(expires.start), end: abs(expires.end), newText: `; Max-Age=${days * 86400}` }];
      return undefined;
    },
    remove(attr) {
      const existing = seg(attr.toLowerCase());
      return existing ? [{ start: abs(existing.start), end: abs(existing.end), newText: '' }] : undefined;
    },
  };

  const a = p.anchor;
  const present = (name: string) => !!seg(name);
  const nameStart = p.content.length - p.content.trimStart().length;
  const site: CookieSite = {
    framework: p.framework,
    name: { value: parsed.name, start: abs(nameStart), end: abs(nameStart + parsed.name.length) },
    session: false,
    anchor: a,
    complete: p.complete,
    ...(parsed.secure ? { secure: { value: 'true', ...a } } : {}),
    ...(parsed.httpOnly ? { httpOnly: { value: 'true', ...a } } : {}),
    ...(present('samesite') ? { sameSite: { value: parsed.sameSite?.toLowerCase() ?? (parsed.sameSiteRaw ?? '').toLowerCase(), ...a } } : {}),
    ...(parsed.maxAge !== undefined
      ? { maxAgeSeconds: { value: parsed.maxAge, ...a } }
      : parsed.expires ? { maxAgeSeconds: { value: Math.round((parsed.expires.getTime() - Date.now()) / 1000), ...a } } : {}),
    ...(parsed.domain !== undefined ? { domain: { value: parsed.domain, ...a } } : {}),
    ...(present('path') ? { path: { value: parsed.path, ...a } } : {}),
    ...(parsed.partitioned ? { partitioned: { value: 'true', ...a } } : {}),
    defaults: { secure: 'false', httpOnly: 'false' },
    writer,
  };
  checkCookieSite(ctx, site);
}
