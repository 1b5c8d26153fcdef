import type { CookieRecord, Disposable, ExchangeModification } from '../../session/types';
import { domainMatches } from '../../replay/cookieMatch';
import { type InFlightRule, type InFlightRuleSpec, InFlightRuleError, describeRule, validateRule } from './inFlightRule';
import { type JwtTamper, parseSigningKey, tamperJwt } from './jwtTamper';

/** A changed request head, and what was changed. */
export interface RequestRewrite {
  readonly text: string;
  readonly modifications: ExchangeModification[];
}

/** A changed response head, what was changed, and the Set-Cookie values added (Expire now). */
export interface ResponseRewrite {
  readonly text: string;
  readonly modifications: ExchangeModification[];
  readonly addedSetCookies: string[] | undefined;
}

/** Options of an InFlightRules set. */
export interface InFlightRulesOptions {
  /** The cookies the browser holds (the store's jar): Expire now deletes them with their own domain and path. */
  readonly cookies?: () => readonly CookieRecord[];
  /** Clock, epoch ms. */
  readonly now?: () => number;
}

interface ActiveRule {
  readonly spec: InFlightRuleSpec;
  readonly id: string;
  readonly label: string;
  readonly createdAt: number;
  hits: number;
  readonly tamper: JwtTamper | undefined;
}

const CRLF = '\r\n';

/** `value` (a JS string, maybe with non-Latin-1 characters) as the Latin-1 text of its UTF-8 bytes, as heads are handled. */
function wire(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

/**
 * The in-flight rules of one capture: kept in memory only, cleared when the capture stops.
 * The relay asks two booleans per exchange (`touchesRequests`, `touchesResponses`); only when
 * one is true does it hand the head here, so traffic with no rule active takes the same path as
 * before. Heads are rewritten line by line: lines no rule concerns stay byte for byte.
 */
export class InFlightRules implements Disposable {
  /** True when a rule (or a request Session Lens sends itself) may change request heads. */
  touchesRequests = false;
  /** True when a rule may change response heads. */
  touchesResponses = false;
  private rules: ActiveRule[] = [];
  private nextId = 1;
  private readonly ownRequests = new Map<number, string>();
  private readonly listeners = new Set<(rules: readonly InFlightRule[]) => void>();
  private readonly now: () => number;

  constructor(private readonly options: InFlightRulesOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Adds a rule; throws InFlightRuleError when it cannot be applied as given (the message says why). */
  add(spec: InFlightRuleSpec): InFlightRule {
    validateRule(spec);
    const tamper: JwtTamper | undefined = spec.kind === 'tamper-jwt'
      ? { mode: spec.mode, ...(spec.claims ? { claims: spec.claims } : {}), ...(spec.signingKey !== undefined && spec.mode !== 'alg-none' ? { key: parseSigningKey(spec.signingKey) } : {}) }
      : undefined;
    const rule: ActiveRule = { spec, id: `r${this.nextId++}`, label: describeRule(spec), createdAt: this.now(), hits: 0, tamper };
    this.rules.push(rule);
    this.changed();
    return this.view(rule);
  }

  /** Turns a rule off; false when there is no such rule (already fired or removed). */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    if (this.rules.length === before) return false;
    this.changed();
    return true;
  }

  /** Turns every rule off (the capture stopped). */
  clear(): void {
    if (this.rules.length === 0) return;
    this.rules = [];
    this.changed();
  }

  /** The active rules, oldest first. */
  list(): InFlightRule[] {
    return this.rules.map((r) => this.view(r));
  }

  /** Called with the rule list after every add, remove and fire. */
  onDidChange(listener: (rules: readonly InFlightRule[]) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Marks the requests arriving from the local TCP port `port` as sent by Session Lens
   * (keep-alive, OAuth refresh): their exchanges carry `description`. Returns the undo.
   */
  markOwnRequests(port: number, description: string): Disposable {
    this.ownRequests.set(port, description);
    this.recompute();
    return {
      dispose: () => {
        if (this.ownRequests.get(port) === description) this.ownRequests.delete(port);
        this.recompute();
      },
    };
  }

  dispose(): void {
    this.rules = [];
    this.ownRequests.clear();
    this.recompute();
    this.listeners.clear();
  }

  private view(r: ActiveRule): InFlightRule {
    const { signingKey: _secret, ...spec } = r.spec as InFlightRuleSpec & { signingKey?: string };
    // The key and a replacement value stay here: the list goes to the panel and the CLI.
    const safe = spec.kind === 'replace' ? { ...spec, value: '' } : spec;
    return { ...(safe as InFlightRuleSpec), id: r.id, label: r.label, createdAt: r.createdAt, hits: r.hits };
  }

  private recompute(): void {
    this.touchesRequests = this.ownRequests.size > 0 || this.rules.some((r) => r.spec.kind === 'drop' || r.spec.kind === 'replace' || r.spec.kind === 'tamper-jwt');
    this.touchesResponses = this.rules.some((r) => r.spec.kind === 'expire-now' || r.spec.kind === 'shorten-lifetime');
  }

  private changed(): void {
    this.recompute();
    const list = this.list();
    for (const listener of [...this.listeners]) {
      try {
        listener(list);
      } catch {
        // A listener's failure never reaches the relay.
      }
    }
  }

  /**
   * The request head `text` (Latin-1, ending with the empty line) with the request rules
   * applied; undefined when nothing changed. `clientPort`: the browser connection's port (for
   * requests Session Lens sent itself).
   */
  rewriteRequest(text: string, clientPort: number | undefined): RequestRewrite | undefined {
    const modifications: ExchangeModification[] = [];
    const own = clientPort === undefined ? undefined : this.ownRequests.get(clientPort);
    if (own !== undefined) modifications.push({ kind: 'sent-by-session-lens', side: 'request', description: own });
    const rules = this.rules.filter((r) => r.spec.kind === 'drop' || r.spec.kind === 'replace' || r.spec.kind === 'tamper-jwt');
    if (rules.length === 0) return modifications.length > 0 ? { text, modifications } : undefined;
    const lines = text.split(CRLF);
    let changed = false;
    const touched = new Set<ActiveRule>();
    const now = this.now();
    for (let i = 1; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const isCookie = name.length === 6 && name.toLowerCase() === 'cookie';
      for (const rule of rules) {
        const spec = rule.spec as Extract<InFlightRuleSpec, { place: unknown }>;
        const place = spec.place;
        let next: string | null | undefined;
        if (place.in === 'cookie') {
          if (isCookie) next = this.rewriteCookieLine(lines[i], place.name, rule, now);
        } else if (name.toLowerCase() === place.name.toLowerCase()) {
          next = this.rewriteHeaderLine(lines[i], colon, rule, now);
        }
        if (next === undefined) continue;
        touched.add(rule);
        changed = true;
        if (next === null) {
          lines.splice(i, 1);
          i--;
          break;
        }
        lines[i] = next;
      }
    }
    if (!changed) return modifications.length > 0 ? { text, modifications } : undefined;
    for (const rule of touched) {
      rule.hits++;
      const spec = rule.spec as Extract<InFlightRuleSpec, { place: unknown }>;
      const what = `${spec.place.in} ${spec.place.name}`;
      const description = spec.kind === 'drop' ? `dropped ${what}`
        : spec.kind === 'replace' ? `replaced the value of ${what}`
          : `sent the JWT in ${what} ${rule.label.replace(/^Send JWT in \S+ \S+ /, '')}`;
      modifications.push({ ruleId: rule.id, kind: spec.kind, side: 'request', description: `modified by Session Lens: ${description}`, credential: spec.place.name });
    }
    return { text: lines.join(CRLF), modifications };
  }

  /** A Cookie line with the rule applied to the cookie `name`; null to remove the line; undefined when unchanged. */
  private rewriteCookieLine(line: string, name: string, rule: ActiveRule, now: number): string | null | undefined {
    const colon = line.indexOf(':');
    const value = line.slice(colon + 1);
    const pieces = value.split(';');
    let changed = false;
    const kept: string[] = [];
    for (const piece of pieces) {
      const lead = /^\s*/.exec(piece)?.[0] ?? '';
      const rest = piece.slice(lead.length);
      const eq = rest.indexOf('=');
      if (eq === -1 || rest.slice(0, eq).trim() !== name) {
        kept.push(piece);
        continue;
      }
      const spec = rule.spec;
      if (spec.kind === 'drop') {
        changed = true;
        continue;
      }
      const before = rest.slice(0, eq + 1);
      if (spec.kind === 'replace') {
        kept.push(lead + before + wire(spec.value));
        changed = true;
        continue;
      }
      const original = rest.slice(eq + 1).trim();
      const quoted = original.length >= 2 && original.startsWith('"') && original.endsWith('"');
      const tampered = rule.tamper ? tamperJwt(quoted ? original.slice(1, -1) : original, rule.tamper, now) : undefined;
      if (tampered === undefined) {
        kept.push(piece);
        continue;
      }
      kept.push(lead + before + (quoted ? `"${tampered}"` : tampered));
      changed = true;
    }
    if (!changed) return undefined;
    if (kept.every((p) => p.trim() === '')) return null;
    kept[0] = kept[0].replace(/^\s*/, value.startsWith(' ') ? ' ' : '');
    return line.slice(0, colon + 1) + kept.join(';');
  }

  /** A header line with the rule applied; null to remove it; undefined when unchanged. */
  private rewriteHeaderLine(line: string, colon: number, rule: ActiveRule, now: number): string | null | undefined {
    const spec = rule.spec;
    if (spec.kind === 'drop') return null;
    const raw = line.slice(colon + 1);
    const lead = /^\s*/.exec(raw)?.[0] ?? '';
    const value = raw.slice(lead.length).trimEnd();
    // `Bearer <token>`: the scheme stays, the credential changes.
    const m = /^([A-Za-z][\w.+-]*)(\s+)(\S+)$/.exec(value);
    if (spec.kind === 'replace') {
      const next = m !== null && !/\s/.test(spec.value) ? `${m[1]}${m[2]}${spec.value}` : spec.value;
      return line.slice(0, colon + 1) + lead + wire(next);
    }
    const token = m !== null ? m[3] : value;
    const tampered = rule.tamper ? tamperJwt(token, rule.tamper, now) : undefined;
    if (tampered === undefined) return undefined;
    return line.slice(0, colon + 1) + lead + (m !== null ? `${m[1]}${m[2]}${tampered}` : tampered);
  }

  /**
   * The response head `text` with the response rules applied; undefined when nothing changed.
   * `requestHost`: the Host of the request (which cookies Expire now deletes).
   */
  rewriteResponse(text: string, requestHost: string | undefined): ResponseRewrite | undefined {
    const rules = this.rules.filter((r) => r.spec.kind === 'expire-now' || r.spec.kind === 'shorten-lifetime');
    if (rules.length === 0) return undefined;
    const lines = text.split(CRLF);
    const modifications: ExchangeModification[] = [];
    const now = this.now();
    let changed = false;
    let end = 1;
    for (; end < lines.length && lines[end] !== ''; end++) {
      const line = lines[end];
      if (!/^set-cookie\s*:/i.test(line)) continue;
      for (const rule of rules) {
        const spec = rule.spec;
        if (spec.kind !== 'shorten-lifetime') continue;
        const shortened = shortenSetCookie(line, spec.cookie, spec.seconds, now);
        if (shortened === undefined) continue;
        lines[end] = shortened.line;
        changed = true;
        rule.hits++;
        const server = shortened.serverSeconds === undefined ? 'the server set no lifetime: a browser-session cookie' : `server: ${shortened.serverSeconds} s`;
        modifications.push({
          ruleId: rule.id, kind: 'shorten-lifetime', side: 'response', credential: spec.cookie, shortenedToSeconds: spec.seconds,
          ...(shortened.serverSeconds !== undefined ? { serverLifetimeSeconds: shortened.serverSeconds } : {}),
          description: `modified by Session Lens: lifetime of cookie ${spec.cookie} shortened to ${spec.seconds} s (${server})`,
        });
      }
    }
    let added: string[] | undefined;
    const fired: ActiveRule[] = [];
    for (const rule of rules) {
      const spec = rule.spec;
      if (spec.kind !== 'expire-now') continue;
      const deletions = this.deletionsFor(spec.cookie, requestHost);
      added = [...(added ?? []), ...deletions];
      lines.splice(end, 0, ...deletions.map((d) => `Set-Cookie: ${d}`));
      end += deletions.length;
      changed = true;
      rule.hits++;
      fired.push(rule);
      modifications.push({ ruleId: rule.id, kind: 'expire-now', side: 'response', credential: spec.cookie, description: `modified by Session Lens: expired cookie ${spec.cookie} (added ${deletions.join(' and ')})` });
    }
    if (!changed) return undefined;
    if (fired.length > 0) {
      // Expire now happens once: the browser has dropped the cookie.
      this.rules = this.rules.filter((r) => !fired.includes(r));
      this.changed();
    }
    return { text: lines.join(CRLF), modifications, addedSetCookies: added };
  }

  /** Deleting Set-Cookie values for every cookie `name` the browser holds for `host` (its domain and path). */
  private deletionsFor(name: string, requestHost: string | undefined): string[] {
    const host = (requestHost ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    const held = (this.options.cookies?.() ?? []).filter((c) => c.name === name && (host === '' || domainMatches(c, host)));
    const scopes = held.length > 0 ? held : [{ path: '/', hostOnly: true, domain: host, secure: /^__(secure|host)-/i.test(name) }];
    const seen = new Set<string>();
    const out: string[] = [];
    for (const c of scopes) {
      const text = `${name}=; Max-Age=0; Path=${c.path}${c.hostOnly ? '' : `; Domain=${c.domain}`}${c.secure ? '; Secure' : ''}`;
      if (!seen.has(text)) {
        seen.add(text);
        out.push(text);
      }
    }
    return out;
  }
}

/**
 * A Set-Cookie line of cookie `name` with its lifetime set to `seconds` (Max-Age and Expires
 * rewritten, Max-Age added when neither was there); undefined for another cookie or a deleting
 * one (a deletion stays a deletion).
 */
export function shortenSetCookie(line: string, name: string, seconds: number, now: number): { line: string; serverSeconds: number | undefined } | undefined {
  const colon = line.indexOf(':');
  const value = line.slice(colon + 1);
  const parts = value.split(';');
  const first = parts[0];
  const eq = first.indexOf('=');
  if (eq === -1 || first.slice(0, eq).trim() !== name) return undefined;
  let maxAge: number | undefined;
  let expires: number | undefined;
  let hasMaxAge = false;
  let hasExpires = false;
  for (const p of parts.slice(1)) {
    const [attr, ...v] = p.split('=');
    const key = attr.trim().toLowerCase();
    const text = v.join('=').trim();
    if (key === 'max-age') {
      hasMaxAge = true;
      if (/^-?\d+$/.test(text)) maxAge = Number(text);
    } else if (key === 'expires') {
      hasExpires = true;
      const t = Date.parse(text);
      if (Number.isFinite(t)) expires = t;
    }
  }
  if ((maxAge !== undefined && maxAge <= 0) || (maxAge === undefined && expires !== undefined && expires <= now)) return undefined;
  const serverSeconds = maxAge ?? (expires !== undefined ? Math.round((expires - now) / 1000) : undefined);
  const expiresText = new Date(now + seconds * 1000).toUTCString();
  const next = parts.map((p, i) => {
    if (i === 0) return p;
    const key = p.split('=')[0].trim().toLowerCase();
    const lead = /^\s*/.exec(p)?.[0] ?? '';
    if (key === 'max-age') return `${lead}Max-Age=${seconds}`;
    if (key === 'expires') return `${lead}Expires=${expiresText}`;
    return p;
  });
  if (!hasMaxAge && !hasExpires) next.push(` Max-Age=${seconds}`);
  return { line: line.slice(0, colon + 1) + next.join(';'), serverSeconds };
}

export { InFlightRuleError };
