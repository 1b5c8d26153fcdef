import type { CookieRecord } from '../session/types';
import { isUnexpired } from './cookieMatch';

/** Characters that would break a cookies.txt line (tab-separated, one cookie per line). */
const UNSAFE = /[\t\r\n]/;

/**
 * The live cookies of a jar in the Netscape cookies.txt format that `curl -b FILE`,
 * `curl -c`, `wget --load-cookies` and most HTTP tools read: one line per cookie,
 * `domain  include-subdomains  path  secure  expiry(epoch s, 0 = session)  name  value`,
 * with `#HttpOnly_` before the domain of HttpOnly cookies (curl's convention). Expired cookies
 * and any whose name or value would break the format are left out.
 */
export function toCookiesTxt(jar: readonly CookieRecord[], now: number): string {
  const lines = [
    '# Netscape HTTP Cookie File',
    `# Written by Session Lens at ${new Date(now).toISOString()}. Holds live session cookies: keep it private.`,
    '',
  ];
  for (const c of jar) {
    if (!isUnexpired(c, now) || UNSAFE.test(c.name) || UNSAFE.test(c.value) || UNSAFE.test(c.domain) || UNSAFE.test(c.path)) continue;
    const domain = c.hostOnly ? c.domain : `.${c.domain}`;
    const expiry = c.expiresAt === undefined ? 0 : Math.floor(c.expiresAt / 1000);
    lines.push([
      `${c.httpOnly ? '#HttpOnly_' : ''}${domain}`,
      c.hostOnly ? 'FALSE' : 'TRUE',
      c.path || '/',
      c.secure ? 'TRUE' : 'FALSE',
      String(expiry),
      c.name,
      c.value,
    ].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}
