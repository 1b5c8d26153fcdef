/** The result of reading a framework's session cookie without its key. */

export type SignedCookieFormat =
  /** Flask's session cookie and other itsdangerous URL-safe serializers: payload.timestamp.signature. */
  | 'itsdangerous'
  /** Django `signing.dumps` (the signed_cookies session backend) and `set_signed_cookie`: value:timestamp:signature. */
  | 'django-signing'
  /** express cookie-session: base64 JSON; the signature is in the companion `<name>.sig` cookie. */
  | 'cookie-session'
  /** The `<name>.sig` companion cookie of cookie-session (a keygrip HMAC). */
  | 'cookie-session-signature'
  /** express-session's signed session id `s:<id>.<signature>`; the data lives on the server. */
  | 'express-session';

export interface SignedCookieDecoding {
  readonly format: SignedCookieFormat;
  /** Who writes this form, for display: "Flask (itsdangerous)". */
  readonly framework: string;
  /** Whether `content` holds the decoded data. */
  readonly readable: boolean;
  /** The decoded content: parsed JSON, a text value, or `{ sessionId }` for express-session. */
  readonly content?: unknown;
  /** When the value was signed (epoch ms), from the embedded timestamp. */
  readonly timestamp?: number;
  /** The payload was zlib-compressed. */
  readonly compressed?: boolean;
  /** The signature as sent; it cannot be checked without the server's secret. */
  readonly signature?: string;
  /** The MAC the signature length suggests, e.g. "HMAC-SHA1". */
  readonly signatureAlgorithm?: string;
  /** What this is, what could not be read and why. */
  readonly note: string;
}

/** Largest decompressed payload (zip-bomb guard); session cookies are at most 4 KiB compressed. */
export const MAX_DECOMPRESSED_BYTES = 1024 * 1024;

/** Longest cookie value looked at; browsers drop anything over 4 KiB anyway. */
export const MAX_COOKIE_VALUE_LENGTH = 64 * 1024;
