import type { AnalysisContext, Fact } from '../analysis';
import { type SettingEntry, type SettingValue, checkSettings, entryFromFact } from '../settingsSite';

/*
 * Symfony's YAML configuration (config/packages/framework.yaml, security.yaml): the session cookie
 * of `framework.session` with the `when@prod:` overrides production loads, `framework.csrf_protection`,
 * and `enable_csrf` of a firewall's `form_login`. The YAML analyzer (springConfig.ts) flattens the
 * keys into settings facts; this reads those of files under config/packages/.
 */

/** A file Symfony loads as package configuration, and the environment of its folder (config/packages/prod/…). */
function symfonyPackageFile(filePath: string | undefined): { env?: string } | undefined {
  const m = filePath ? /(?:^|[\\/])config[\\/]packages[\\/](?:(\w+)[\\/])?[\w.-]+\.ya?ml$/.exec(filePath) : null;
  return m ? (m[1] ? { env: m[1] } : {}) : undefined;
}

/** Environments whose configuration is production's: `when@prod`, config/packages/prod/. */
const PRODUCTION_ENV = /^(prod|production|staging)$/;

/** A Symfony YAML scalar: `%env(bool:X)%` is read from the environment, `~`/`null` is unset. */
function symfonyValue(v: SettingValue): SettingValue {
  const t = (v.str ?? v.text).trim();
  if (v.kind === 'str' && /%env\(/.test(t)) return { kind: 'env', text: t };
  if (v.kind === 'str' && /^(~|null)$/i.test(t)) return { kind: 'none', text: t };
  return v;
}

const SESSION_KEYS = { secure: 'cookie_secure', httpOnly: 'cookie_httponly', sameSite: 'cookie_samesite', domain: 'cookie_domain', path: 'cookie_path', name: 'name', maxAge: 'cookie_lifetime' } as const;

/** The whole-file check of a Symfony package configuration file. */
export function finishSymfony(facts: readonly Fact[], ctx: AnalysisContext, filePath: string | undefined): void {
  const where = symfonyPackageFile(filePath);
  if (!where) return;
  const settings = new Map<string, SettingEntry>();
  for (const f of facts) if (f.key === 'spring.setting') settings.set(f.name, entryFromFact(f));
  // A file of config/packages/prod/ is production's as a whole; its own `when@…` blocks are rare.
  const fileIsProduction = where.env !== undefined && PRODUCTION_ENV.test(where.env);
  if (where.env !== undefined && !fileIsProduction) return;
  csrfSwitches(ctx, settings);
  sessionCookie(ctx, settings);
}

/**
 * `framework.session` as production gets it: each key of `when@prod: framework: session:` wins over the
 * base block. A base value production overrides with a safe one is what development keeps (info,
 * naming the override); `cookie_secure: auto` sets Secure only on requests Symfony sees as HTTPS (info).
 */
function sessionCookie(ctx: AnalysisContext, settings: ReadonlyMap<string, SettingEntry>): void {
  const base = 'framework.session.';
  const prod = [...settings.keys()].map((k) => /^when@(\w+)\.framework\.session\./.exec(k)?.[1]).find((env) => env !== undefined && PRODUCTION_ENV.test(env));
  const prodPrefix = prod ? `when@${prod}.framework.session.` : undefined;
  const own = [...settings.keys()].some((k) => k.startsWith(base) || (prodPrefix && k.startsWith(prodPrefix)));
  if (!own) return;
  const entries = new Map<string, SettingEntry>();
  let anchor: SettingEntry | undefined;
  for (const key of Object.values(SESSION_KEYS)) {
    const b = settings.get(`${base}${key}`);
    const p = prodPrefix ? settings.get(`${prodPrefix}${key}`) : undefined;
    const chosen = p ?? b;
    if (!chosen) continue;
    anchor ??= chosen;
    let value = symfonyValue(chosen.value);
    if (key === 'cookie_secure' && value.kind === 'str' && value.str?.toLowerCase() === 'auto') {
      value = { kind: 'env', text: `cookie_secure: auto sets Secure only on requests Symfony sees as HTTPS; behind a TLS-terminating proxy that needs framework.trusted_proxies` };
    }
    if (p && b && (key === 'cookie_secure' || key === 'cookie_httponly')) {
      const bv = symfonyValue(b.value);
      const off = (bv.kind === 'bool' && !bv.bool) || bv.kind === 'none';
      if (off && value.kind === 'bool' && value.bool) {
        // Production turns it on: the base block's false is development's (reported at info there).
        const line = ctx.lineOf(p.start) + 1;
        entries.set(key, { ...b, value: { kind: 'env', text: `${key}: ${bv.text} here is what development and tests get; when@${prod} sets it ${value.text} on line ${line}` } });
        continue;
      }
    }
    if (p && !b) entries.set(key, { ...p, value });
    else entries.set(key, { ...chosen, value: p && value.kind !== 'env' ? { ...value, via: `when@${prod} sets it on line ${ctx.lineOf(p.start) + 1}` } : value });
  }
  if (!anchor) return;
  checkSettings(ctx, {
    framework: 'Symfony',
    keys: { secure: 'cookie_secure', httpOnly: 'cookie_httponly', sameSite: 'cookie_samesite', domain: 'cookie_domain', path: 'cookie_path', name: 'name', maxAge: 'cookie_lifetime' },
    defaults: { secure: 'false', httpOnly: 'true', name: 'PHPSESSID' },
    render: (attr, v) => (attr === 'sameSite' ? v.toLowerCase() : v),
    add: () => undefined,
    anchor: { start: anchor.start, end: anchor.end },
    // php.ini and the session handler's options may set what the YAML does not.
    complete: false,
    maxAgeUnit: 1,
    sameSiteOf: (v) => (v.kind === 'str' ? (v.str ?? '').toLowerCase() : v.kind === 'none' ? '' : v.kind === 'env' ? 'env' : 'unknown'),
  }, entries);
}

/** `framework.csrf_protection: false` and `security.firewalls.<name>.form_login.enable_csrf: false` (also under `when@prod`). */
function csrfSwitches(ctx: AnalysisContext, settings: ReadonlyMap<string, SettingEntry>): void {
  for (const [key, e] of settings) {
    const v = symfonyValue(e.value);
    if (v.kind !== 'bool' || v.bool) continue;
    const bare = key.replace(/^when@\w+\./, '');
    if (bare === 'framework.csrf_protection' || bare === 'framework.csrf_protection.enabled') {
      ctx.report({
        ruleId: 'csrf-protection-disabled', start: e.start, end: e.end,
        message: 'framework.csrf_protection: false turns off the CSRF tokens of every Symfony form: any site can make a logged-in browser submit them with the session cookie. Set it to true (and keep {{ csrf_token() }} in hand-written forms).',
        fix: { title: 'Turn CSRF protection on', edits: [{ start: e.valueStart, end: e.valueEnd, newText: 'true' }] },
      });
      continue;
    }
    const login = /^security\.firewalls\.([\w-]+)\.(form_login|json_login|login_link)\.enable_csrf$/.exec(bare);
    if (login) {
      ctx.report({
        ruleId: 'csrf-protection-disabled', start: e.start, end: e.end,
        message: `enable_csrf: false lets any site post the ${login[1]} firewall's login form (login CSRF: the browser ends up signed in to an account the attacker chose). Set enable_csrf: true and render the _csrf_token field.`,
        fix: { title: 'Check the CSRF token of the login form', edits: [{ start: e.valueStart, end: e.valueEnd, newText: 'true' }] },
      });
    }
  }
}
