import { inflateSync } from 'node:zlib';
import { MAX_DECOMPRESSED_BYTES } from './types';

export type InflateResult = { ok: true; bytes: Buffer } | { ok: false; message: string };

/** zlib-inflates at most `limit` bytes of output; a larger result is refused, never allocated. */
export function boundedInflate(bytes: Uint8Array, limit = MAX_DECOMPRESSED_BYTES): InflateResult {
  try {
    return { ok: true, bytes: inflateSync(bytes, { maxOutputLength: limit }) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      return { ok: false, message: `the compressed payload expands beyond ${limit} bytes; not decompressed (possible zip bomb)` };
    }
    return { ok: false, message: `the payload is marked compressed but is not valid zlib data (${(err as Error).message})` };
  }
}
