import { randomInt } from 'node:crypto';

function range(from: string, to: string): string {
  let out = '';
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out += String.fromCharCode(c);
  return out;
}

/**
 * A session id the server never issued, shaped like `sample`: same length, letters and digits
 * replaced by random ones from the alphabet the sample uses (digits; a up to its highest
 * lower-case letter, so hex stays hex and PHP's base32 stays base32; likewise upper case),
 * punctuation and percent-escapes kept where they are (`.`, `-`, `%3A`), and so is a leading type
 * tag (express-session's `s:` / `s%3A`). From a CSPRNG, and never equal to `sample`.
 */
export function madeUpIdLike(sample: string): string {
  const lower = [...sample].filter((c) => c >= 'a' && c <= 'z').sort().pop();
  const upper = [...sample].filter((c) => c >= 'A' && c <= 'Z').sort().pop();
  const digits = /[0-9]/.test(sample) ? range('0', '9') : '';
  const letters = (lower ? range('a', lower) : '') + (upper ? range('A', upper) : '');
  const alphabet = digits + letters;
  if (alphabet.length < 2) return `${sample}x`;
  const tag = /^[A-Za-z]{1,8}(?:%3A|:)/i.exec(sample)?.[0] ?? '';
  const parts = [tag, ...(sample.slice(tag.length).match(/%[0-9A-Fa-f]{2}|[\s\S]/g) ?? [])];
  for (;;) {
    let out = '';
    for (const c of parts) out += c.length === 1 && /[0-9A-Za-z]/.test(c) ? alphabet[randomInt(alphabet.length)] : c;
    if (out !== sample) return out;
  }
}
