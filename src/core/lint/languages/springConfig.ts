import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type Fact, namedChildren } from '../analysis';
import type { LanguageAnalyzer } from '../analyzer';
import { capture } from '../analyzer';
import { reportHardcodedSecret } from '../secrets';
import { type SettingEntry, type SettingValue, checkSettings, entryFromFact, settingFact } from '../settingsSite';
import { finishSymfony } from './phpSymfonyConfig';

/** Spring's relaxed binding: `same-site`, `sameSite` and `same_site` are one key. */
export function canonicalKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** A Spring Duration: `30m`, `2h`, `PT1H30M`, or a bare number in `defaultUnit` seconds. */
export function springDuration(raw: string, defaultUnitSeconds: number): number | undefined {
  const s = raw.trim();
  if (/^-?\d+$/.test(s)) return Number(s) * defaultUnitSeconds;
  const simple = /^(-?\d+)\s*(ns|us|ms|s|m|h|d)$/i.exec(s);
  if (simple) return Number(simple[1]) * DURATION_UNITS[simple[2].toLowerCase()];
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s);
  if (iso && s.length > 1) return Number(iso[1] ?? 0) * 86400 + Number(iso[2] ?? 0) * 3600 + Number(iso[3] ?? 0) * 60 + Number(iso[4] ?? 0);
  return undefined;
}

/** A scalar from a properties or YAML file. */
export function springValue(raw: string): SettingValue {
  const text = raw.trim();
  const unq = /^"(.*)"$|^'(.*)'$/.exec(text);
  const s = unq ? (unq[1] ?? unq[2]) : text;
  if (/\$\{[^}]*\}/.test(s)) return { kind: 'env', text };
  if (!unq && /^(true|false)$/i.test(s)) return { kind: 'bool', bool: s.toLowerCase() === 'true', text };
  return { kind: 'str', str: s, text };
}

const SECRET_KEY = /jwt.*(secret|signing[-_.]?key|key)$|(^|\.)(secret[-_.]?key|signing[-_.]?key|token[-_.]?secret|session[-_.]?secret)$/i;

/**
 * Of the secret-like keys, which the rules cover, by what the key's path says it is for: a JWT or
 * bearer token key (`jwt-hardcoded-secret`), a session, cookie, remember-me or the application's own
 * authentication key (`session-hardcoded-secret`). A key of something else (`partner.api.signing-key`,
 * a payment provider's webhook key) is a secret too, but no session or token rule: the lint reports
 * it where Java code reads it as a JWT key (naming this file), not here by its name.
 */
function secretKindOf(key: string): 'jwt' | 'session' | undefined {
  if (!SECRET_KEY.test(key)) return undefined;
  if (/jw[tse]|jose|token|bearer/i.test(key)) return 'jwt';
  if (/session|cookie|remember|(^|[.-])(auth|authentication|security|login)([.-]|$)/i.test(key)) return 'session';
  return undefined;
}

/** Keys of the session cookie settings (servlet and reactive stacks), canonical form. */
const COOKIE_PREFIX = /^server\.(servlet|reactive)\.session\.cookie\./;

/** Turns one property (flattened key, value) into facts and immediate secret findings. */
export function springProperty(ctx: AnalysisContext, key: string, keyNode: { startIndex: number }, valueNode: Node | undefined, whole: { startIndex: number; endIndex: number }, block?: string): void {
  let raw = valueNode ? ctx.src(valueNode) : '';
  // `*name`: a YAML alias repeats an anchored value, reported where the anchor writes it.
  if (/^\s*\*[^\s,[\]{}]+\s*(#.*)?$/.test(raw)) return;
  // `&name value`: the anchor is no part of the value.
  const anchor = /^\s*&[^\s,[\]{}]+[ \t]*/.exec(raw)?.[0] ?? '';
  raw = raw.slice(anchor.length);
  const lead = anchor.length + raw.length - raw.trimStart().length;
  // A block scalar (`|`, `>`) is its text; the finding covers the whole block.
  const trimmed = block !== undefined ? raw.trim() : raw.replace(/\s+#.*$/, '').trim();
  const value = block !== undefined ? springValue(JSON.stringify(block)) : springValue(trimmed);
  const vs = valueNode ? valueNode.startIndex + lead : whole.endIndex;
  const entry: SettingEntry = { name: key.toLowerCase(), value, start: keyNode.startIndex, end: whole.endIndex, valueStart: vs, valueEnd: vs + trimmed.length };
  ctx.facts.push(settingFact('spring.setting', entry));
  // `${JWT_SECRET:changeme}`: the default is the key wherever the variable is missing.
  const placeholder = value.kind === 'env' ? /^(["']?)\$\{([^:}]+):([^}]+)\}\1$/.exec(trimmed) : null;
  const kind = secretKindOf(key);
  if (kind && placeholder) {
    reportHardcodedSecret(ctx, {
      kind,
      start: vs, end: vs + trimmed.length,
      what: `The ${key} property`, envName: placeholder[2], replacement: `${placeholder[1]}\${${placeholder[2]}}${placeholder[1]}`, fallback: true,
    });
  }
  // Where the key is kept (`classpath:keys/jwt.key`, `file:/run/secrets/jwt`) is not the key.
  if (kind && value.kind === 'str' && (value.str ?? '').length > 0 && !/^(classpath\*?|file|https?):/.test(value.str ?? '')) {
    const envName = key.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
    reportHardcodedSecret(ctx, {
      kind,
      start: vs, end: vs + trimmed.length,
      what: `The ${key} property`, envName,
      // Spring resolves ${…} placeholders from the environment.
      replacement: `\${${envName}}`,
    });
  }
}

/** The whole-file check of Spring Boot session cookie settings. */
export function finishSpring(facts: readonly Fact[], ctx: AnalysisContext, filePath: string | undefined, format: 'properties' | 'yaml'): void {
  const entries = new Map<string, SettingEntry>();
  let multiDoc = false;
  for (const f of facts) {
    if (f.key === 'spring.setting') {
      const e = entryFromFact(f);
      const canon = canonicalKey(e.name).replace(/^server\.(servlet|reactive)\.session\./, 'session.');
      entries.set(canon, e);
    } else if (f.key === 'yaml.multiDocument') multiDoc = true;
  }
  const tracking = entries.get('session.trackingmodes');
  if (tracking) checkTrackingModes(ctx, tracking);
  const cookieEntries = [...entries.entries()].filter(([k]) => k.startsWith('session.cookie.'));
  const timeout = entries.get('session.timeout');
  if (cookieEntries.length === 0 && !timeout) return;
  const base = path.basename(filePath ?? '').toLowerCase();
  // The main application file, when it configures the cookie, is taken as the whole story; profile files only override.
  const complete = /^application\.(properties|ya?ml)$/.test(base) && cookieEntries.length > 0 && !multiDoc;
  const first = [...entries.values()].filter((e) => COOKIE_PREFIX.test(e.name) || /session\.timeout$/.test(e.name)).sort((a, b) => a.start - b.start)[0];
  const prefix = first ? first.name.replace(/cookie\..*$|timeout$/, '') : 'server.servlet.session.';
  const mapped = new Map<string, SettingEntry>();
  for (const [k, e] of entries) mapped.set(k, e);
  const keyOf = (attr: string) => `session.cookie.${canonicalKey(attr)}`;
  checkSettings(ctx, {
    framework: 'Spring Boot',
    keys: { secure: keyOf('secure'), httpOnly: keyOf('httponly'), sameSite: keyOf('samesite'), domain: keyOf('domain'), path: keyOf('path'), name: keyOf('name'), maxAge: keyOf('maxage'), idle: 'session.timeout' },
    defaults: { secure: 'false', httpOnly: 'true', name: 'JSESSIONID' },
    render: (attr, v) => (attr === 'sameSite' ? v : v),
    add: (name, valueText) => {
      const prop = { secure: 'secure', httponly: 'http-only', samesite: 'same-site', domain: 'domain', path: 'path', name: 'name' }[name.replace(/^session\.cookie\./, '')] ?? name;
      if (format === 'properties') {
        const at = ctx.text.length;
        return { start: at, end: at, newText: `${ctx.text.endsWith('\n') || at === 0 ? '' : '\n'}${prefix}cookie.${prop}=${valueText}\n` };
      }
      // YAML: add next to an existing cookie setting, with its indentation.
      const sibling = cookieEntries[0]?.[1];
      if (!sibling) return undefined;
      const lineStart = ctx.text.lastIndexOf('\n', sibling.start - 1) + 1;
      const indent = ctx.text.slice(lineStart, sibling.start);
      if (!/^\s*$/.test(indent)) return undefined;
      return { start: lineStart, end: lineStart, newText: `${indent}${prop}: ${valueText}\n` };
    },
    anchor: first ? { start: first.start, end: first.end } : { start: 0, end: 0 },
    complete,
    maxAgeUnit: 1,
    idleUnit: 1,
    renderLifetime: (days) => `${days}d`,
    sameSiteOf: (v) => (v.kind === 'str' ? (v.str ?? '').toLowerCase() : v.kind === 'env' ? 'env' : 'unknown'),
  }, durationsToSeconds(mapped, keyOf('maxage')));
}

/**
 * `server.servlet.session.tracking-modes` with `url`: the container appends `;jsessionid=…` to
 * links and redirects when the browser has not sent the cookie yet.
 */
function checkTrackingModes(ctx: AnalysisContext, e: SettingEntry): void {
  if (e.value.kind !== 'str') return;
  const modes = (e.value.str ?? '').split(/\s*,\s*/).map((m) => m.trim()).filter(Boolean);
  if (!modes.some((m) => m.toLowerCase() === 'url')) return;
  const kept = modes.filter((m) => m.toLowerCase() !== 'url');
  ctx.report({
    ruleId: 'session-token-in-url', start: e.start, end: e.end,
    message: `Session tracking by URL (${e.name}) writes the session id into links and redirects (;jsessionid=…), where it leaks through logs, Referer headers and shared links and invites session fixation. Track sessions by cookie only.`,
    fix: { title: 'Track sessions by cookie only', edits: [{ start: e.valueStart, end: e.valueEnd, newText: kept.length ? kept.join(',') : 'cookie' }] },
  });
}

function durationsToSeconds(entries: Map<string, SettingEntry>, maxAgeKey: string): Map<string, SettingEntry> {
  for (const k of [maxAgeKey, 'session.timeout']) {
    const e = entries.get(k);
    if (!e || e.value.kind !== 'str') continue;
    const seconds = springDuration(e.value.str ?? '', 1);
    entries.set(k, { ...e, value: seconds === undefined ? { kind: 'unknown', text: e.value.text } : { kind: 'num', num: seconds, text: e.value.text } });
  }
  return entries;
}

/** The text of a YAML block scalar (`|` keeps line breaks, `>` folds them), without its header and trailing breaks. */
export function blockScalarText(src: string): string {
  const header = /^[|>][^\n]*/.exec(src)?.[0] ?? '';
  const lines = src.slice(header.length).split('\n').slice(1);
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
  const content = lines.map((l) => l.slice(Math.min(indent, /^[ \t]*/.exec(l)![0].length)));
  return (header.startsWith('>') ? content.join(' ') : content.join('\n')).trim();
}

/** application.properties (and any .properties): Spring Boot session cookie and secrets. */
export const propertiesAnalyzer: LanguageAnalyzer = {
  query: '(property (key) @key) @property',
  containers: new Set(['file']),
  keywords: /session|secret|jwt|key/i,
  declares: () => [],
  analyze(matches, ctx) {
    for (const m of matches) {
      const prop = capture(m, 'property');
      const key = capture(m, 'key');
      if (!prop || !key) continue;
      const value = prop.namedChildren.find((c) => c?.type === 'value') ?? undefined;
      springProperty(ctx, ctx.src(key).trim(), key, value, prop);
    }
  },
  finish(facts, ctx, filePath) {
    finishSpring(facts, ctx, filePath, 'properties');
  },
};

/** application.yml: the same settings, keys flattened from the nesting. */
export const yamlAnalyzer: LanguageAnalyzer = {
  query: '(block_mapping_pair key: (_) @key value: (flow_node) @value) @pair\n(block_mapping_pair key: (_) @key value: (block_node (block_sequence) @seq)) @pair\n(block_mapping_pair key: (_) @key value: (block_node (block_scalar) @block)) @pair\n(document) @doc',
  containers: new Set(['stream', 'document', 'block_node', 'block_mapping']),
  keywords: /session|secret|jwt|key|csrf/i,
  declares: () => [],
  analyze(matches, ctx) {
    for (const m of matches) {
      if (capture(m, 'doc')) continue;
      const pair = capture(m, 'pair');
      const key = capture(m, 'key');
      const value = capture(m, 'value');
      const seq = capture(m, 'seq');
      const block = capture(m, 'block');
      if (!pair || !key || (!value && !seq && !block)) continue;
      const parts = [ctx.src(key).trim()];
      for (let p = pair.parent; p; p = p.parent) {
        if (p.type === 'block_mapping_pair') {
          const k = p.childForFieldName('key');
          if (k) parts.unshift(ctx.src(k).trim());
        }
      }
      const name = parts.map((s) => s.replace(/^["']|["']$/g, '')).join('.');
      if (value) springProperty(ctx, name, key, value, pair);
      else if (block) springProperty(ctx, name, key, block, pair, blockScalarText(ctx.src(block)));
      else if (seq && /session\.trackingmodes$/.test(canonicalKey(name))) {
        // tracking-modes as a YAML list: Spring binds it like the comma-separated form.
        const items = namedChildren(seq, ctx.text).map((i) => ctx.src(i).replace(/^-\s*/, '').replace(/\s+#.*$/, '').trim().replace(/^["']|["']$/g, ''));
        const entry: SettingEntry = { name: name.toLowerCase(), value: { kind: 'str', str: items.join(','), text: ctx.src(seq) }, start: key.startIndex, end: pair.endIndex, valueStart: seq.startIndex, valueEnd: seq.endIndex };
        ctx.facts.push(settingFact('spring.setting', entry));
      }
    }
  },
  finish(facts, ctx, filePath) {
    const docs = (ctx.text.match(/^---\s*$/gm) ?? []).length;
    finishSpring(docs > 1 || /^\S[\s\S]*^---\s*$/m.test(ctx.text) ? [...facts, { key: 'yaml.multiDocument', name: '', start: 0, end: 0 }] : facts, ctx, filePath, 'yaml');
    finishSymfony(facts, ctx, filePath);
  },
};
