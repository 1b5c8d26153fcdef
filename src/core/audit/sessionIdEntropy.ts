import { expressSessionIdPart, unquoteCookieValue } from './classifyCookie';

/** An entropy estimate for one session id. */
export interface EntropyEstimate {
  /** Upper bound of the entropy in bits: length × log2(alphabet size). */
  readonly bits: number;
  /** The part of the value that was measured (the id of a signed express-session value, without a route suffix). */
  readonly measured: string;
  /** Alphabet the characters were drawn from, as guessed from the characters present. */
  readonly alphabet: string;
  readonly alphabetSize: number;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The part of a cookie value that is the random id: the id of an express-session `s:<id>.<sig>`
 * value, without a Tomcat/Jetty route suffix (`.node0`, `.worker1`), without quotes and padding.
 */
export function sessionIdPart(value: string): string {
  const unquoted = safeDecode(unquoteCookieValue(value));
  const express = expressSessionIdPart(unquoted);
  if (express !== undefined) return express;
  // Servlet containers append ".<jvmRoute>" to JSESSIONID; the route is not random.
  const routed = /^([A-Za-z0-9_-]{16,})\.[A-Za-z][A-Za-z0-9_-]{0,31}$/.exec(unquoted);
  const id = routed ? routed[1] : unquoted;
  return id.replace(/=+$/, '');
}

/**
 * Estimates the entropy of a session id from its alphabet and length, the way a reviewer does by
 * eye: an id of 32 hex characters holds at most 128 bits. This is an upper bound: it cannot see
 * a weak generator, only a too-short or too-narrow id.
 */
export function estimateSessionIdEntropy(value: string): EntropyEstimate {
  const measured = sessionIdPart(typeof value === 'string' ? value : '');
  const chars = [...measured];
  const has = (re: RegExp) => chars.some((c) => re.test(c));
  const digits = has(/[0-9]/);
  const lowerHex = has(/[a-f]/);
  const lowerBeyondHex = has(/[g-z]/);
  const upperHex = has(/[A-F]/);
  const upperBeyondHex = has(/[G-Z]/);
  const urlSymbols = has(/[-_]/);
  const b64Symbols = has(/[+/]/);
  const others = new Set(chars.filter((c) => !/[0-9A-Za-z_+/-]/.test(c))).size;

  let alphabet: string;
  let size: number;
  const lower = lowerHex || lowerBeyondHex;
  const upper = upperHex || upperBeyondHex;
  if (!lower && !upper && !urlSymbols && !b64Symbols && others === 0) {
    alphabet = 'decimal digits';
    size = 10;
  } else if (!lowerBeyondHex && !upper && !urlSymbols && !b64Symbols && others === 0) {
    alphabet = 'lower-case hex';
    size = 16;
  } else if (!upperBeyondHex && !lower && !urlSymbols && !b64Symbols && others === 0) {
    alphabet = 'upper-case hex';
    size = 16;
  } else if (!upper && !urlSymbols && !b64Symbols && others === 0 && !chars.some((c) => c >= 'w' && c <= 'z')) {
    // PHP's session.sid_bits_per_character=5 alphabet: 0-9a-v.
    alphabet = '0-9a-v (5 bits per character)';
    size = 32;
  } else if (!urlSymbols && !b64Symbols && others === 0) {
    size = 10 * (digits ? 1 : 0) + 26 * (lower ? 1 : 0) + 26 * (upper ? 1 : 0);
    alphabet = size === 62 ? 'letters and digits' : size === 36 ? 'lower-case letters and digits' : 'letters';
    if (size === 0) size = 1;
  } else {
    size = 64 + others;
    alphabet = urlSymbols ? 'base64url' : 'base64';
    if (others > 0) alphabet += ` plus ${others} other character${others === 1 ? '' : 's'}`;
  }
  const distinct = new Set(chars).size;
  if (chars.length >= 8 && distinct <= 4 && distinct < size) {
    // A long id drawn from two or three characters ("aaaa…", "0101…") is not random at all.
    alphabet = `only ${distinct} distinct character${distinct === 1 ? '' : 's'}`;
    size = Math.max(distinct, 2);
  }
  const bits = chars.length === 0 ? 0 : Math.floor(chars.length * Math.log2(size) * 10) / 10;
  return { bits, measured, alphabet, alphabetSize: size };
}
