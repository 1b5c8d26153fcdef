import * as zlib from 'node:zlib';
import type { BodyPreview, HeaderField } from './types';

/** Default size of the analysis window over a body (decoded), in bytes. */
export const DEFAULT_PREVIEW_BYTES = 1024 * 1024;

/**
 * The first bytes of a body as they went over the wire, collected while streaming.
 * Never holds more than `limit` bytes, whatever the body size; counts the whole body.
 */
export class PreviewCollector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes seen in total (the body size on the wire). */
  wireBytes = 0;

  constructor(private readonly limit: number) {}

  /**
   * Adds a chunk. The kept part is copied (at most `limit` bytes in all): the chunk may be a
   * read buffer the socket reuses, and a copy keeps no larger buffer alive.
   */
  push(chunk: Buffer): void {
    this.wireBytes += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    const part = Buffer.from(chunk.length <= room ? chunk : chunk.subarray(0, room));
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** True when some of the body did not fit. */
  get truncated(): boolean {
    return this.wireBytes > this.kept;
  }

  /** The kept bytes (a view shared with the chunks when there is only one). */
  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.kept);
  }
}

/** A raw body slice handed to the store for analysis. */
export interface BodyInput {
  /** The body's bytes as far as they were kept (wire bytes, or already decoded bytes for HAR). Absent when `text` gives the body. */
  readonly bytes?: Buffer;
  /**
   * The whole body as text, already decoded (a HAR's `content.text`), instead of `bytes`: a HAR
   * body is text already, and a round trip through bytes would copy it twice.
   */
  readonly text?: string;
  /** Size of the whole body on the wire. */
  readonly wireBytes: number;
  /** True when `bytes` stops before the end of the body. */
  readonly truncated: boolean;
  /** True when `bytes` is already decoded (HAR `content.text`): skip Content-Encoding. */
  readonly decoded?: boolean;
  /** Content-Type to assume when the headers have none (HAR `postData.mimeType`). */
  readonly mimeType?: string;
}

/** Result of decoding a body slice for analysis. */
export interface DecodedBody {
  readonly preview: BodyPreview;
  /** Decoded text for analysis (up to the analysis limit), when the media type is text-like. */
  readonly text?: string;
}

const TEXT_TYPES = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|x-www-form-urlencoded|graphql|jwt|x-ndjson)\b|multipart\/form-data)/;

/** True for media types whose bodies are worth reading as text. */
export function isTextLike(mimeType: string | undefined): boolean {
  return mimeType === undefined || TEXT_TYPES.test(mimeType);
}

/** First value of a header, case-insensitive. */
export function headerValue(headers: readonly HeaderField[] | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === lower) return h.value;
  return undefined;
}

/** Media types seen, each as one shared string. */
const mimeTypes = new Map<string, string>();

/** Media type of a Content-Type value: lower-case, no parameters. */
export function mimeTypeOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const semi = contentType.indexOf(';');
  const t = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (t === '') return undefined;
  // One string per media type, shared by every preview that names it.
  let shared = mimeTypes.get(t);
  if (shared === undefined) {
    if (mimeTypes.size >= 256) mimeTypes.clear();
    shared = t;
    mimeTypes.set(t, t);
  }
  return shared;
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
}

function decodeOnce(input: Buffer, encoding: string, cap: number): Buffer {
  const opts = { maxOutputLength: cap, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(input, opts);
    case 'deflate':
      // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
      try {
        return zlib.inflateSync(input, opts);
      } catch (err) {
        if (isTooLarge(err)) throw err;
        return zlib.inflateRawSync(input, opts);
      }
    case 'br':
      return zlib.brotliDecompressSync(input, {
        maxOutputLength: cap,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      throw new Error(`content-encoding '${encoding}' is not decoded by the preview`);
  }
}

/**
 * Decodes a (possibly cut) compressed slice into at most `cap` bytes. A decompression bomb
 * cannot make this allocate more than `cap`: when the whole slice inflates past the cap we
 * decode shorter prefixes until one fits.
 */
export function decodeBounded(input: Buffer, encoding: string, cap: number): { bytes: Buffer; truncated: boolean } {
  const attempt = (length: number): Buffer | undefined => {
    try {
      return decodeOnce(length === input.length ? input : input.subarray(0, length), encoding, cap);
    } catch (err) {
      if (isTooLarge(err)) return undefined;
      throw err;
    }
  };
  const whole = attempt(input.length);
  if (whole) return { bytes: whole, truncated: false };
  // Bisect the input length: the longest prefix (within a few steps) that inflates under the cap.
  let lo = 0;
  let hi = input.length;
  let best: Buffer = Buffer.alloc(0);
  for (let step = 0; step < 16 && hi - lo > 1; step++) {
    const mid = (lo + hi) >>> 1;
    const out = attempt(mid);
    if (out) {
      lo = mid;
      best = out;
    } else {
      hi = mid;
    }
  }
  return { bytes: best, truncated: true };
}

function previewOf(wireBytes: number, truncated: boolean, encoding: string | undefined, mimeType: string | undefined, text?: string, decodeError?: string): BodyPreview {
  // The common shapes as whole literals: every property in the object itself (an object that
  // gains properties after it is made grows a separate property array: one more object kept
  // per exchange).
  if (encoding === undefined && decodeError === undefined) {
    if (mimeType) return text !== undefined ? { wireBytes, truncated, mimeType, text } : { wireBytes, truncated, mimeType };
    return text !== undefined ? { wireBytes, truncated, text } : { wireBytes, truncated };
  }
  const p: { -readonly [K in keyof BodyPreview]: BodyPreview[K] } = { wireBytes, truncated };
  if (encoding) p.contentEncoding = encoding;
  if (mimeType) p.mimeType = mimeType;
  if (text !== undefined) p.text = text;
  if (decodeError !== undefined) p.decodeError = decodeError;
  return p;
}

const NO_BYTES = Buffer.alloc(0);
const LONE_SURROGATE = /\p{Cs}/u;

/** The preview of a body given as text (`length` UTF-8 bytes, within the analysis limit). */
function textPreview(body: BodyInput, text: string, length: number, mimeType: string | undefined, retainBytes: number): DecodedBody {
  if (length === 0 || !isTextLike(mimeType)) return { preview: previewOf(body.wireBytes, body.truncated, undefined, mimeType) };
  const cut = length > retainBytes;
  const retained = retainBytes === 0 ? undefined : cut ? Buffer.from(text).subarray(0, retainBytes).toString('utf8') : text;
  return { preview: previewOf(body.wireBytes, body.truncated || cut, undefined, mimeType, retained), text };
}

/** Bodies shorter than this are decoded whole without asking `textWanted`. */
const ASK_BEFORE_DECODING_BYTES = 64 * 1024;

/**
 * Turns a kept body slice into a preview: decodes gzip/deflate/br (only here, never what is
 * forwarded), keeps at most `retainBytes` of text for display and returns up to `analysisBytes`
 * of text for token search. `textWanted`, when given, is asked about the decoded bytes of a large
 * body: when it says no, no text is returned (only the preview), and the whole body is never made
 * into one string. Never throws.
 */
export function decodeBody(
  body: BodyInput,
  headers: readonly HeaderField[] | undefined,
  analysisBytes: number,
  retainBytes: number,
  textWanted?: (bytes: Buffer) => boolean,
): DecodedBody {
  const mimeType = mimeTypeOf(headerValue(headers, 'content-type') ?? body.mimeType);
  const rawEncoding = body.decoded || body.text !== undefined ? undefined : headerValue(headers, 'content-encoding')?.trim().toLowerCase();
  const encoding = rawEncoding === '' || rawEncoding === 'identity' ? undefined : rawEncoding;
  let bytes = body.bytes ?? NO_BYTES;
  if (body.text !== undefined) {
    // Lone surrogates become U+FFFD, as a round trip through UTF-8 bytes makes them.
    const text = LONE_SURROGATE.test(body.text) ? Buffer.from(body.text).toString('utf8') : body.text;
    const length = Buffer.byteLength(text);
    if (length <= analysisBytes) return textPreview(body, text, length, mimeType, retainBytes);
    bytes = Buffer.from(text);
  }
  if (bytes.length === 0 || !isTextLike(mimeType)) return { preview: previewOf(body.wireBytes, body.truncated, encoding, mimeType) };

  let truncated = body.truncated;
  if (encoding) {
    try {
      const decoded = decodeBounded(bytes, encoding, analysisBytes);
      bytes = decoded.bytes;
      truncated = truncated || decoded.truncated || decoded.bytes.length >= analysisBytes;
    } catch (err) {
      const decodeError = err instanceof Error ? err.message : String(err);
      return { preview: previewOf(body.wireBytes, truncated, encoding, mimeType, undefined, decodeError) };
    }
  } else if (bytes.length > analysisBytes) {
    bytes = bytes.subarray(0, analysisBytes);
    truncated = true;
  }
  const wanted = textWanted === undefined || bytes.length < ASK_BEFORE_DECODING_BYTES || textWanted(bytes);
  const text = wanted ? bytes.toString('utf8') : undefined;
  const retained = bytes.length <= retainBytes && text !== undefined ? text : bytes.subarray(0, retainBytes).toString('utf8');
  return {
    preview: previewOf(body.wireBytes, truncated || bytes.length > retainBytes, encoding, mimeType, retainBytes > 0 ? retained : undefined),
    ...(text !== undefined ? { text } : {}),
  };
}
