import * as vscode from 'vscode';
import type { CookieRecord, CredentialPlace, InFlightRuleSpec, JwtTamperMode, TokenRecord } from '../../core/capture/index';
import { CommandId } from '../commandIds';
import { type InFlightActions, clockText } from '../inFlightActions';
import { maskValue } from '../masking';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const TITLE = 'Session Lens';

type PlaceItem = vscode.QuickPickItem & { place: CredentialPlace; cookie?: CookieRecord; token?: TokenRecord };

/** Cookie names of the capture, for a quick pick (session cookies first). */
function cookieItems(actions: InFlightActions): (vscode.QuickPickItem & { cookie: CookieRecord })[] {
  const cookies = actions.proxy?.store.getCookies() ?? [];
  return cookies.map((c) => ({ label: c.name, description: `${c.domain}${c.path}`, detail: maskValue(c.value), cookie: c }));
}

/** Credentials requests carry: cookies, and headers that carried tokens (Authorization, X-Auth-Token…). */
function credentialItems(actions: InFlightActions, jwtOnly: boolean): PlaceItem[] {
  const store = actions.proxy?.store;
  if (!store) return [];
  const tokens = store.getTokens().filter((t) => (t.source === 'request-header' || t.source === 'request-cookie') && (!jwtOnly || t.isJwt));
  const items: PlaceItem[] = [];
  const seen = new Set<string>();
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i];
    const name = t.name;
    const place: CredentialPlace = t.source === 'request-cookie' ? { in: 'cookie', name } : { in: 'header', name };
    const key = `${place.in}:${name.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ label: name, description: place.in === 'cookie' ? 'cookie' : 'header', detail: `${t.kind}${t.isJwt ? ', JWT' : ''}: ${maskValue(t.value)}`, place, token: t });
  }
  if (!jwtOnly) {
    for (const c of cookieItems(actions)) {
      const key = `cookie:${c.cookie.name.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({ ...c, description: `cookie · ${c.description}`, place: { in: 'cookie', name: c.cookie.name } });
    }
    if (!seen.has('header:authorization')) items.push({ label: 'Authorization', description: 'header', detail: 'not seen yet', place: { in: 'header', name: 'Authorization' } });
  }
  return items;
}

/** A place given as a command argument: `{ in: 'cookie' | 'header', name }`. */
function placeArg(arg: unknown): CredentialPlace | undefined {
  if (arg === null || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  return (a.in === 'cookie' || a.in === 'header') && typeof a.name === 'string' ? { in: a.in, name: a.name } : undefined;
}

async function pickPlace(actions: InFlightActions, title: string, jwtOnly = false): Promise<PlaceItem | undefined> {
  const items = credentialItems(actions, jwtOnly);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(jwtOnly ? 'Session Lens: no JWT sent in a cookie or header was captured yet.' : 'Session Lens: no credential was captured yet.');
    return undefined;
  }
  return vscode.window.showQuickPick(items, { title, placeHolder: 'Which credential?', matchOnDescription: true });
}

async function pickCookieName(actions: InFlightActions, title: string, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  const items = cookieItems(actions);
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Session Lens: no cookie was captured yet.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Which cookie?', matchOnDescription: true }))?.label;
}

/** A value for Replace: typed, or an earlier value of the cookie from its history (masked in the list). */
async function pickValue(actions: InFlightActions, place: CredentialPlace): Promise<string | undefined> {
  const store = actions.proxy?.store;
  const earlier: (vscode.QuickPickItem & { value?: string })[] = [{ label: '$(edit) Type a value…', alwaysShow: true }];
  if (store && place.in === 'cookie') {
    const seen = new Set<string>();
    const history = store.getCookieHistory().filter((e) => e.name === place.name);
    for (let i = history.length - 1; i >= 0; i--) {
      for (const v of [history[i].newValue, history[i].oldValue]) {
        if (v === undefined || v === '' || seen.has(v)) continue;
        seen.add(v);
        earlier.push({ label: maskValue(v), description: `${history[i].kind} at ${new Date(history[i].time).toLocaleTimeString()}`, value: v });
      }
    }
  }
  const picked = earlier.length === 1 ? earlier[0] : await vscode.window.showQuickPick(earlier, { title: `${TITLE}: Replace ${place.name}`, placeHolder: 'An earlier value (replay the pre-login session id), or type one' });
  if (!picked) return undefined;
  if (picked.value !== undefined) return picked.value;
  return vscode.window.showInputBox({ title: `${TITLE}: Replace ${place.name}`, prompt: `Value to send for ${place.in} ${place.name}`, password: true, ignoreFocusOut: true });
}

const TAMPER_MODES: (vscode.QuickPickItem & { mode: JwtTamperMode })[] = [
  { label: 'Expired', detail: 'exp one hour in the past', mode: 'expired' },
  { label: 'Not yet valid', detail: 'nbf one hour in the future', mode: 'not-yet-valid' },
  { label: 'alg: none', detail: 'header alg "none", signature stripped', mode: 'alg-none' },
  { label: 'Edit claims…', detail: 'a JSON object merged into the payload (null removes a claim)', mode: 'claims' },
  { label: 'Re-sign only…', detail: 'same claims, signed with a key you give', mode: 'resign' },
];

/** The payload of a JWT as pretty JSON, for the claims editor; '{}' when it does not decode. */
function payloadJson(token: string): string {
  const value = /^(?:\S+\s+)?([^.\s]+)\.([^.\s]+)\./.exec(token)?.[2];
  try {
    return JSON.stringify(JSON.parse(Buffer.from(value ?? '', 'base64url').toString('utf8')));
  } catch {
    return '{}';
  }
}

async function tamperSpec(place: CredentialPlace, token: TokenRecord | undefined): Promise<InFlightRuleSpec | undefined> {
  const mode = await vscode.window.showQuickPick(TAMPER_MODES, { title: `${TITLE}: Tamper JWT in ${place.name}`, placeHolder: 'Send the token as…' });
  if (!mode) return undefined;
  let claims: Record<string, unknown> | undefined;
  if (mode.mode === 'claims') {
    const text = await vscode.window.showInputBox({
      title: `${TITLE}: Edit claims`, prompt: 'Claims to change, as a JSON object (null removes a claim)', value: token ? payloadJson(token.value) : '{}', ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          const parsed: unknown = JSON.parse(v);
          return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? undefined : 'A JSON object, e.g. {"role":"admin"}';
        } catch (err) {
          return `Not JSON: ${message(err)}`;
        }
      },
    });
    if (text === undefined) return undefined;
    claims = JSON.parse(text) as Record<string, unknown>;
  }
  let signingKey: string | undefined;
  if (mode.mode !== 'alg-none') {
    const sign = mode.mode === 'resign' ? { resign: true } : await vscode.window.showQuickPick([
      { label: 'Keep the original signature', detail: 'only a verifier that skips the signature check accepts it', resign: false },
      { label: 'Re-sign with a key…', detail: 'a secret, a PEM private key or a private JWK', resign: true },
    ], { title: `${TITLE}: Tamper JWT`, placeHolder: 'Signature' });
    if (!sign) return undefined;
    if (sign.resign) {
      signingKey = await vscode.window.showInputBox({ title: `${TITLE}: Signing key`, prompt: 'HMAC secret, PEM private key or private JWK (kept in memory for this capture only)', password: true, ignoreFocusOut: true });
      if (!signingKey) return undefined;
    }
  }
  return { kind: 'tamper-jwt', place, mode: mode.mode, ...(claims ? { claims } : {}), ...(signingKey !== undefined ? { signingKey } : {}) };
}

/**
 * The palette commands that act on the running capture's traffic: Expire Cookie Now, Drop,
 * Replace, Tamper JWT, Shorten Cookie Lifetime, Turn Off Rules, Keep Session Alive and Refresh
 * OAuth Token. Each takes its choices as arguments too (the panel and tests pass them).
 */
export function registerInFlightRuleCommands(actions: InFlightActions): vscode.Disposable[] {
  /** Adds a rule and says so; a bad rule is an error message, never a throw into the workbench. */
  const add = (spec: InFlightRuleSpec | undefined): string | undefined => {
    if (!spec) return undefined;
    try {
      const rule = actions.addRule(spec);
      void vscode.window.setStatusBarMessage(`Session Lens: ${rule.label}`, 4000);
      return rule.id;
    } catch (err) {
      void vscode.window.showErrorMessage(`Session Lens: ${message(err)}`);
      return undefined;
    }
  };
  const running = (): boolean => {
    if (actions.proxy) return true;
    void vscode.window.showErrorMessage('Session Lens: start a capture first; in-flight actions change the traffic that goes through the capture proxy.');
    return false;
  };
  return [
    vscode.commands.registerCommand(CommandId.ExpireCookieNow, async (cookieArg?: unknown) => {
      if (!running()) return undefined;
      const name = await pickCookieName(actions, `${TITLE}: Expire Cookie Now`, cookieArg);
      return add(name === undefined ? undefined : { kind: 'expire-now', cookie: name });
    }),
    vscode.commands.registerCommand(CommandId.DropCredential, async (placeArgument?: unknown) => {
      if (!running()) return undefined;
      const place = placeArg(placeArgument) ?? (await pickPlace(actions, `${TITLE}: Drop from Requests`))?.place;
      return add(place && { kind: 'drop', place });
    }),
    vscode.commands.registerCommand(CommandId.ReplaceCredential, async (placeArgument?: unknown, valueArg?: unknown) => {
      if (!running()) return undefined;
      const place = placeArg(placeArgument) ?? (await pickPlace(actions, `${TITLE}: Replace Value`))?.place;
      if (!place) return undefined;
      const value = typeof valueArg === 'string' ? valueArg : await pickValue(actions, place);
      return add(value === undefined ? undefined : { kind: 'replace', place, value });
    }),
    vscode.commands.registerCommand(CommandId.TamperJwt, async (placeArgument?: unknown) => {
      if (!running()) return undefined;
      const given = placeArg(placeArgument);
      const picked = given ? { place: given, token: undefined } : await pickPlace(actions, `${TITLE}: Tamper JWT`, true);
      if (!picked) return undefined;
      return add(await tamperSpec(picked.place, picked.token));
    }),
    vscode.commands.registerCommand(CommandId.ShortenCookieLifetime, async (cookieArg?: unknown, secondsArg?: unknown) => {
      if (!running()) return undefined;
      const name = await pickCookieName(actions, `${TITLE}: Shorten Cookie Lifetime`, cookieArg);
      if (name === undefined) return undefined;
      let seconds = typeof secondsArg === 'number' ? secondsArg : undefined;
      if (seconds === undefined) {
        const text = await vscode.window.showInputBox({
          title: `${TITLE}: Shorten Cookie Lifetime`, prompt: `Lifetime the browser is given for ${name}, in seconds (the server's own stays recorded)`, value: '60',
          validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 1 ? undefined : 'A whole number of seconds, 1 or more'),
        });
        if (text === undefined) return undefined;
        seconds = Number(text);
      }
      return add({ kind: 'shorten-lifetime', cookie: name, seconds });
    }),
    vscode.commands.registerCommand(CommandId.TurnOffRules, () => actions.clearAll()),
    vscode.commands.registerCommand(CommandId.ToggleKeepAlive, async (intervalSecondsArg?: unknown) => {
      if (actions.keepAliveRunning) {
        actions.stopKeepAlive('turned off');
        return false;
      }
      if (!running()) return undefined;
      try {
        let intervalMs = typeof intervalSecondsArg === 'number' ? intervalSecondsArg * 1000 : undefined;
        if (intervalMs === undefined) {
          // The default request and interval, shown for confirmation.
          const probe = actions.startKeepAlive();
          const text = await vscode.window.showInputBox({
            title: `${TITLE}: Keep Session Alive`, prompt: `Repeat GET ${probe.request.path} every how many seconds? (${probe.intervalReason}: ${clockText(probe.intervalMs)})`,
            value: String(Math.round(probe.intervalMs / 1000)), validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 1 ? undefined : 'A whole number of seconds, 1 or more'),
          });
          if (text === undefined) {
            actions.stopKeepAlive('cancelled');
            return false;
          }
          if (Number(text) * 1000 === probe.intervalMs) return true;
          intervalMs = Number(text) * 1000;
        }
        actions.startKeepAlive({ intervalMs });
        return true;
      } catch (err) {
        void vscode.window.showErrorMessage(`Session Lens: ${message(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(CommandId.RefreshOAuthToken, async () => {
      if (!running()) return undefined;
      try {
        const result = await actions.refreshOAuthToken();
        void vscode.window.setStatusBarMessage(`Session Lens: refresh grant → ${result.status}`, 6000);
        return result.status;
      } catch (err) {
        void vscode.window.showErrorMessage(`Session Lens: ${message(err)}`);
        return undefined;
      }
    }),
  ];
}
