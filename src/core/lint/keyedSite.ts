import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, insertListItem, removeListItem, span } from './analysis';
import { type AttrAt, type AttrWriter, type CookieAttr, type CookieSite, type Truth, checkCookieSite } from './cookieChecks';

/** One `Key = value` / `Key: value` / `key: value` entry of an initializer, literal or hash. */
export interface KeyedItem {
  readonly key: string;
  readonly value: Node;
  readonly item: Node;
}

/** How one language reads and writes the entries of a cookie options literal. */
export interface KeyedSyntax {
  /** Canonical key (lower case, no '_') → the key as this framework spells it. */
  readonly keyFor: Partial<Record<CookieAttr, string>>;
  /** Canonical keys of the lifetime entries, with how to read seconds from them. */
  readonly lifetime?: readonly { readonly key: string; readonly seconds: (n: Node) => number | undefined; readonly render?: (days: number) => string }[];
  readonly truth: (n: Node) => { value: Truth; envText?: string; branch?: string; via?: string };
  /** Lower-cased value; or with where it comes from (a branch, the environment, a constant of another file: see CookieSite.sameSite). */
  readonly sameSite: (n: Node) => string | { value: string; branch?: string; envText?: string; via?: string };
  readonly string: (n: Node) => string | undefined;
  readonly render: (attr: CookieAttr, value: string) => string;
  readonly pair: (key: string, valueText: string) => string;
}

/** A cookie options literal found in code. */
export interface KeyedSite {
  readonly framework: string;
  readonly session: boolean;
  readonly anchor: Node | { startIndex: number; endIndex: number };
  readonly items: readonly KeyedItem[];
  /** The braces/brackets holding the items, when there are any. */
  readonly list?: Node;
  /** Where to put `{ … }` or `, key: value` when there is no list yet (offset), and how. */
  readonly create?: (pairs: string[]) => OffsetEdit | undefined;
  /** The cookie name when known from elsewhere (an argument). */
  readonly name?: { value: string; node: Node; via?: string };
  readonly nameHint?: string;
  /** The source text of the value set, when known (see CookieSite.valueHint). */
  readonly valueHint?: string;
  readonly complete: boolean;
  readonly defaults: CookieSite['defaults'];
  readonly syntax: KeyedSyntax;
}

export const canon = (k: string): string => k.toLowerCase().replace(/_/g, '');

/** Runs the cookie checks on an options literal and writes fixes in its own syntax. */
export function checkKeyedSite(ctx: AnalysisContext, s: KeyedSite): void {
  const byKey = new Map(s.items.map((i) => [canon(i.key), i]));
  // Items may also come from statements after the literal (`o.Secure = true;`): list edits use those inside it.
  const listed = s.list ? s.items.filter((i) => i.item.startIndex >= s.list!.startIndex && i.item.endIndex <= s.list!.endIndex) : [];
  const get = (attr: CookieAttr) => {
    const k = s.syntax.keyFor[attr];
    return k ? byKey.get(canon(k)) : undefined;
  };
  const truth = (attr: CookieAttr): AttrAt<Truth> | undefined => {
    const i = get(attr);
    if (!i) return undefined;
    const t = s.syntax.truth(i.value);
    return { value: t.value, ...span(i.item), ...(t.envText ? { envText: t.envText } : {}), ...(t.branch ? { branch: t.branch } : {}), ...(t.via ? { via: t.via } : {}) };
  };
  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      const inserts: string[] = [];
      for (const [attr, value] of changes) {
        const key = s.syntax.keyFor[attr];
        if (!key) return undefined;
        const existing = byKey.get(canon(key));
        const text = s.syntax.render(attr, value);
        if (existing) edits.push({ ...span(existing.value), newText: text });
        else inserts.push(s.syntax.pair(key, text));
      }
      if (inserts.length) {
        if (s.list) edits.push(insertListItem(ctx, span(s.list), listed.map((i) => span(i.item)), inserts, ' '));
        else {
          const e = s.create?.(inserts);
          if (!e) return undefined;
          edits.push(e);
        }
      }
      return edits.sort((a, b) => a.start - b.start);
    },
    setLifetime(days) {
      for (const l of s.syntax.lifetime ?? []) {
        const i = byKey.get(canon(l.key));
        if (i && l.render) return [{ ...span(i.value), newText: l.render(days) }];
      }
      return undefined;
    },
    remove(attr) {
      const i = get(attr);
      if (!i || !s.list || !listed.includes(i)) return undefined;
      return [removeListItem(ctx, listed.map((x) => span(x.item)), listed.indexOf(i))];
    },
  };
  const ss = get('sameSite');
  const domain = get('domain');
  const path = get('path');
  const nameItem = get('name');
  const nameLit = s.name ? { value: s.name.value, ...span(s.name.node), ...(s.name.via ? { via: s.name.via } : {}) } : nameItem && s.syntax.string(nameItem.value) !== undefined ? { value: s.syntax.string(nameItem.value)!, ...span(nameItem.value) } : undefined;
  let maxAge: AttrAt<number | undefined> | undefined;
  for (const l of s.syntax.lifetime ?? []) {
    const i = byKey.get(canon(l.key));
    if (i) {
      maxAge = { value: l.seconds(i.value), ...span(i.item) };
      break;
    }
  }
  const secure = truth('secure');
  const httpOnly = truth('httpOnly');
  const partitioned = truth('partitioned');
  checkCookieSite(ctx, {
    framework: s.framework,
    ...(nameLit ? { name: nameLit } : s.nameHint ? { nameHint: s.nameHint } : nameItem ? { nameHint: ctx.src(nameItem.value) } : {}),
    ...(s.valueHint !== undefined ? { valueHint: s.valueHint } : {}),
    session: s.session,
    anchor: { start: s.anchor.startIndex, end: s.anchor.endIndex },
    complete: s.complete && !(nameItem && !nameLit),
    ...(secure ? { secure } : {}),
    ...(httpOnly ? { httpOnly } : {}),
    ...(partitioned ? { partitioned } : {}),
    ...(ss ? { sameSite: sameSiteAt(s.syntax.sameSite(ss.value), ss.item) } : {}),
    ...(maxAge ? { maxAgeSeconds: maxAge } : {}),
    ...(domain ? { domain: { value: s.syntax.string(domain.value), ...span(domain.item) } } : {}),
    ...(path ? { path: { value: s.syntax.string(path.value), ...span(path.item) } } : {}),
    defaults: s.defaults,
    writer,
  });
}

function sameSiteAt(v: ReturnType<KeyedSyntax['sameSite']>, item: Node): AttrAt<string> {
  return typeof v === 'string' ? { value: v, ...span(item) } : { ...v, ...span(item) };
}
