import type { RequestHints } from './types';

const LOGIN_PATH = /(?:^|[/_.-])(?:log-?in|sign-?in|logon|authenticate|auth|oauth2?|token|sessions?|callback)(?:$|[/_.?;-])/i;
const LOGOUT_PATH = /(?:^|[/_.-])(?:log-?out|sign-?out|log-?off|end-?session)(?:$|[/_.?;-])/i;
const SESSION_PATH = /(?:^|\/)sessions?(?:$|[/?;])/i;
const PASSWORD_FIELD = /pass(?:word|wd|phrase)?$|^pwd$|^pin$|^otp$|credential/i;
const MAX_FIELDS = 64;
const NO_FIELDS: readonly string[] = Object.freeze([]);
/** Hints without body fields or Authorization, indexed by loginLike + 2 × logoutLike. */
const PLAIN_HINTS: readonly RequestHints[] = [false, true].flatMap((logoutLike) => [false, true].map((loginLike) => Object.freeze({
  loginLike, logoutLike, hasPasswordField: false, formFieldNames: NO_FIELDS,
})));

function fieldNames(body: string | undefined, mimeType: string | undefined): readonly string[] {
  if (!body) return NO_FIELDS;
  const names: string[] = [];
  const add = (n: string): void => {
    if (names.length < MAX_FIELDS && !names.includes(n)) names.push(n);
  };
  if (mimeType === 'application/x-www-form-urlencoded') {
    for (const [k] of new URLSearchParams(body)) add(k);
  } else if (mimeType?.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) for (const k of Object.keys(parsed)) add(k);
    } catch {
      // Truncated or not JSON: no field names.
    }
  } else if (mimeType === 'multipart/form-data') {
    for (const m of body.matchAll(/content-disposition:[^\r\n]*?\bname="([^"\r\n]*)"/gi)) add(m[1]);
  }
  return names.length === 0 ? NO_FIELDS : names;
}

/**
 * What a request looks like for the audit's login/logout logic. Only names are kept, never
 * field values. Never throws.
 */
export function requestHints(
  method: string,
  path: string,
  authorization: string | undefined,
  body: string | undefined,
  mimeType: string | undefined,
): RequestHints {
  const q = path.indexOf('?');
  const pathOnly = q === -1 ? path : path.slice(0, q);
  const formFieldNames = fieldNames(body, mimeType);
  const hasPasswordField = formFieldNames.some((n) => PASSWORD_FIELD.test(n));
  const upper = method.toUpperCase();
  const writes = upper !== 'GET' && upper !== 'HEAD' && upper !== 'OPTIONS';
  const logoutLike = LOGOUT_PATH.test(pathOnly) || (upper === 'DELETE' && SESSION_PATH.test(pathOnly));
  const loginLike = !logoutLike && (hasPasswordField || (writes && LOGIN_PATH.test(pathOnly)));
  const scheme = authorization?.trim().split(/\s+/)[0];
  // Without body fields or Authorization scheme there are four possible answers: shared, frozen.
  if (!scheme && formFieldNames === NO_FIELDS) return PLAIN_HINTS[(loginLike ? 1 : 0) + (logoutLike ? 2 : 0)];
  return {
    loginLike,
    logoutLike,
    hasPasswordField,
    formFieldNames,
    ...(scheme ? { authorizationScheme: scheme } : {}),
  };
}
