/**
 * Text from a token, a HAR or a source file on its way to a terminal: control characters are
 * escaped so input cannot drive the terminal (ANSI escapes, a bell, a title change) or reorder
 * what is shown (bidi overrides, "Trojan Source").
 */

/** C0 (tab and line feed kept), DEL, C1, line/paragraph separators, bidi marks, embeddings, overrides and isolates. */
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same plus tab and line feed: a one-line message stays one line. */
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Escapes control and bidi characters as `\uXXXX`; tabs and line breaks are kept (multi-line reports). */
export function safeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, escapeChar);
}

/** Escapes control and bidi characters as `\uXXXX`, tabs and line breaks included (one-line messages). */
export function safeLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, escapeChar);
}
