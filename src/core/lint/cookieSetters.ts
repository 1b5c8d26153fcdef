import * as fs from 'node:fs/promises';
import type { CookieSetter, LintDocument, Linter } from './engine';
import { listFiles } from './scanner';

/** A place in code that sets a cookie seen in traffic, with what the code says about it. */
export interface CookieSetterLocation extends CookieSetter {
  /** Absolute path, when searched in files. */
  readonly file?: string;
}

/**
 * Default session cookie names and the configuration that sets them when the code does not
 * name the cookie: traffic showing `connect.sid` is traced to the express-session config, and so on.
 */
export const DEFAULT_COOKIE_SOURCES: Readonly<Record<string, RegExp>> = {
  'connect.sid': /^express-session$/,
  PHPSESSID: /^(php\.ini|session_set_cookie_params\(\)|ini_set\(\)|session_start\(\) options|session_name\(\))$/,
  sessionid: /^Django$/,
  JSESSIONID: /^(Spring Boot)$/,
  session: /^(Flask|cookie-session|Starlette SessionMiddleware|@fastify\/secure-session)$/,
  sessionId: /^@fastify\/session$/,
  'koa.sess': /^koa-session$/,
  '.AspNetCore.Session': /^ASP\.NET Core session$/,
  '.AspNetCore.Cookies': /^ASP\.NET Core authentication cookie$/,
};

/** Whether a setter site sets the named cookie (by its literal name, or as the framework default). */
export function setsCookie(site: Pick<CookieSetter, 'name' | 'framework'>, cookieName: string): boolean {
  if (site.name !== undefined) return site.name === cookieName;
  const source = Object.hasOwn(DEFAULT_COOKIE_SOURCES, cookieName) ? DEFAULT_COOKIE_SOURCES[cookieName] : undefined;
  return !!source && source.test(site.framework);
}

/**
 * Finds the code that sets `cookieName`: in an open document, or in files and folders (walked
 * like `scanFiles`, honouring .gitignore). Each result has the range of the setter (the call or
 * configuration) and the attributes the code sets after framework defaults, so traffic can be
 * compared with code. Files that cannot be read are skipped.
 */
export async function findCookieSetters(
  linter: Linter,
  where: { readonly document: LintDocument } | { readonly files: readonly string[]; readonly cwd?: string },
  cookieName: string,
): Promise<CookieSetterLocation[]> {
  if ('document' in where) return where.document.cookieSetters().filter((s) => setsCookie(s, cookieName));
  const { files } = await listFiles(where.files, { ...linter.options, ...(where.cwd ? { cwd: where.cwd } : {}) });
  const out: CookieSetterLocation[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    const doc = await linter.open(text, { filePath: file }).catch(() => undefined);
    if (!doc) continue;
    try {
      for (const s of doc.cookieSetters()) if (setsCookie(s, cookieName)) out.push({ ...s, file });
    } finally {
      doc.dispose();
    }
  }
  return out;
}
