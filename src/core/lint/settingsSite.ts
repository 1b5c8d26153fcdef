import type { AnalysisContext, Fact, OffsetEdit } from './analysis';
import { type AttrAt, type CookieAttr, type CookieSite, type Truth, checkCookieSite } from './cookieChecks';

/** A configuration value as the lint sees it. */
export interface SettingValue {
  readonly kind: 'bool' | 'num' | 'str' | 'none' | 'env' | 'unknown';
  readonly bool?: boolean;
  readonly num?: number;
  readonly str?: string;
  /** Source text, for messages. */
  readonly text: string;
  /** Where the value comes from when it is not written here (a dotenv file, an env() default): for messages. */
  readonly via?: string;
}

/** One setting found in a file: name, value and where both are. */
export interface SettingEntry {
  readonly name: string;
  readonly value: SettingValue;
  readonly start: number;
  readonly end: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** Settings travel from chunk analysis to the whole-document pass as facts. */
export function settingFact(key: string, e: SettingEntry): Fact {
  return { key, name: e.name, value: JSON.stringify(e.value), start: e.start, end: e.end, valueStart: e.valueStart, valueEnd: e.valueEnd };
}

export function entryFromFact(f: Fact): SettingEntry {
  return { name: f.name, value: JSON.parse(f.value ?? '{"kind":"unknown","text":""}') as SettingValue, start: f.start, end: f.end, valueStart: f.valueStart ?? f.start, valueEnd: f.valueEnd ?? f.end };
}

/** How one framework names and spells its session cookie settings. */
export interface SettingsSchema {
  readonly framework: string;
  /** Setting name per attribute; `maxAge` is the cookie lifetime, `idle` the idle timeout. */
  readonly keys: Partial<Record<CookieAttr | 'maxAge' | 'idle', string>>;
  /** Seconds per unit of the lifetime and idle settings (1 for seconds, 60 for minutes). */
  readonly maxAgeUnit?: number;
  readonly idleUnit?: number;
  readonly defaults: CookieSite['defaults'];
  /** The value text of a setting in this format ('True', 'true', '1', "'Lax'"). */
  render(attr: CookieAttr, value: string): string;
  /** An edit adding a setting that is not written yet, or undefined when the engine cannot place it. */
  add(name: string, valueText: string): OffsetEdit | undefined;
  /** Where findings about missing settings go. */
  readonly anchor: { readonly start: number; readonly end: number };
  /** False when settings may come from elsewhere (includes, star imports): missing ones are unknown. */
  readonly complete: boolean;
  /** How to read a string value of SameSite ('' = unset). */
  readonly sameSiteOf?: (v: SettingValue) => string;
  /** The lifetime setting's value text for `days` days, given the value written now. */
  readonly renderLifetime?: (days: number, current: SettingValue) => string;
}

function truthOf(v: SettingValue): Truth {
  switch (v.kind) {
    case 'bool': return v.bool ? 'true' : 'false';
    case 'num': return v.num ? 'true' : 'false';
    case 'none': return 'false';
    case 'env': return 'env';
    case 'str': {
      const s = (v.str ?? '').toLowerCase();
      if (['1', 'true', 'on', 'yes'].includes(s)) return 'true';
      if (['0', 'false', 'off', 'no', ''].includes(s)) return 'false';
      return 'unknown';
    }
    default: return 'unknown';
  }
}

function numOf(v: SettingValue): number | undefined {
  if (v.kind === 'num') return v.num;
  if (v.kind === 'str' && /^\s*-?\d+\s*$/.test(v.str ?? '')) return Number(v.str);
  return undefined;
}

/** Runs the cookie checks on a framework's session cookie as its settings describe it. */
export function checkSettings(ctx: AnalysisContext, schema: SettingsSchema, entries: ReadonlyMap<string, SettingEntry>): void {
  const get = (attr: keyof SettingsSchema['keys']) => {
    const key = schema.keys[attr];
    return key ? entries.get(key.toLowerCase()) : undefined;
  };
  const at = (e: SettingEntry) => ({ start: e.start, end: e.end });
  const truth = (e: SettingEntry | undefined): AttrAt<Truth> | undefined =>
    e ? { value: truthOf(e.value), ...at(e), ...(e.value.kind === 'env' ? { envText: e.value.text } : {}), ...(e.value.via ? { via: e.value.via } : {}) } : undefined;

  const secure = truth(get('secure'));
  const httpOnly = truth(get('httpOnly'));
  const sameSiteE = get('sameSite');
  const sameSite: AttrAt<string> | undefined = sameSiteE
    ? {
      value: schema.sameSiteOf ? schema.sameSiteOf(sameSiteE.value)
        : sameSiteE.value.kind === 'str' ? (sameSiteE.value.str ?? '').toLowerCase()
          : sameSiteE.value.kind === 'none' || (sameSiteE.value.kind === 'bool' && !sameSiteE.value.bool) ? ''
            : sameSiteE.value.kind === 'env' ? 'env' : 'unknown',
      ...at(sameSiteE),
    }
    : undefined;
  const maxAgeE = get('maxAge');
  const maxAgeNum = maxAgeE ? numOf(maxAgeE.value) : undefined;
  const domainE = get('domain');
  const pathE = get('path');
  const nameE = get('name');

  const writer = {
    set(changes: ReadonlyArray<readonly [CookieAttr, string]>): OffsetEdit[] | undefined {
      const edits: OffsetEdit[] = [];
      for (const [attr, value] of changes) {
        const key = schema.keys[attr];
        if (!key) return undefined;
        const existing = entries.get(key.toLowerCase());
        const text = schema.render(attr, value);
        if (existing) edits.push({ start: existing.valueStart, end: existing.valueEnd, newText: text });
        else {
          const e = schema.add(key, text);
          if (!e) return undefined;
          edits.push(e);
        }
      }
      return mergeInserts(edits);
    },
    setLifetime(days: number): OffsetEdit[] | undefined {
      if (!maxAgeE || !schema.renderLifetime) return undefined;
      return [{ start: maxAgeE.valueStart, end: maxAgeE.valueEnd, newText: schema.renderLifetime(days, maxAgeE.value) }];
    },
    remove(attr: CookieAttr): OffsetEdit[] | undefined {
      const key = schema.keys[attr];
      const existing = key ? entries.get(key.toLowerCase()) : undefined;
      if (!existing) return undefined;
      let end = existing.end;
      while (end < ctx.text.length && ctx.text[end] !== '\n') end++;
      const lineStart = ctx.text.lastIndexOf('\n', existing.start - 1) + 1;
      return [{ start: lineStart, end: Math.min(ctx.text.length, end + 1), newText: '' }];
    },
  };

  checkCookieSite(ctx, {
    framework: schema.framework,
    ...(nameE && nameE.value.kind === 'str' ? { name: { value: nameE.value.str ?? '', ...at(nameE) } } : {}),
    session: true,
    anchor: schema.anchor,
    complete: schema.complete && !(nameE && nameE.value.kind !== 'str'),
    ...(secure ? { secure } : {}),
    ...(httpOnly ? { httpOnly } : {}),
    ...(sameSite ? { sameSite } : {}),
    ...(maxAgeE ? { maxAgeSeconds: { value: maxAgeNum !== undefined ? maxAgeNum * (schema.maxAgeUnit ?? 1) : undefined, ...at(maxAgeE) } } : {}),
    ...(domainE ? { domain: { value: domainE.value.kind === 'str' ? domainE.value.str : undefined, ...at(domainE) } } : {}),
    ...(pathE ? { path: { value: pathE.value.kind === 'str' ? pathE.value.str : undefined, ...at(pathE) } } : {}),
    defaults: schema.defaults,
    writer,
  });

  const idleE = get('idle');
  const idle = idleE ? numOf(idleE.value) : undefined;
  if (idleE && idle !== undefined && idle * (schema.idleUnit ?? 1) > ctx.thresholds.maxSessionIdleTimeoutSeconds) {
    const minutes = Math.round((idle * (schema.idleUnit ?? 1)) / 60);
    ctx.report({
      ruleId: 'session-long-idle-timeout', ...at(idleE),
      message: `Sessions stay valid for ${minutes} minutes of inactivity (${idleE.name}); the maximum allowed is ${Math.round(ctx.thresholds.maxSessionIdleTimeoutSeconds / 60)}. Lower it.`,
    });
  }
}

/** Several settings added at the same place become one insertion. */
function mergeInserts(edits: OffsetEdit[]): OffsetEdit[] {
  const out: OffsetEdit[] = [];
  for (const e of edits) {
    const same = e.start === e.end ? out.find((o) => o.start === e.start && o.end === e.start) : undefined;
    if (same) out[out.indexOf(same)] = { ...same, newText: same.newText + e.newText };
    else out.push(e);
  }
  return out.sort((a, b) => a.start - b.start);
}
