/**
 * HTTP/1.x message heads and body framing, as the capture proxy needs them: strict enough that
 * the proxy and the dev server can never disagree on where a message ends (request smuggling),
 * and nothing more. The proxy forwards the bytes it received; this module only finds out what
 * they mean (RFC 9112).
 */

/** A message the proxy refuses; `status` is what a client is answered (400, 431, 501, 505). */
export class HttpParseError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'HttpParseError';
  }
}

/** How a message body is delimited. */
export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;
/** Responses only: the body runs until the server closes the connection. */
export const BODY_UNTIL_CLOSE = 3;
export type BodyFraming = typeof BODY_NONE | typeof BODY_LENGTH | typeof BODY_CHUNKED | typeof BODY_UNTIL_CLOSE;

/** The header fields the proxy acts on; -1 when absent. Indexes point at the name in `fields`. */
interface SpecialFields {
  /** Flat `[name, value, name, value, ...]` in wire order and case (values without surrounding whitespace). */
  readonly fields: string[];
  /** Length of the head in bytes, including the empty line that ends it. */
  readonly headBytes: number;
  /** HTTP/1.1 (1) or HTTP/1.0 (0). */
  readonly minor: number;
  readonly framing: BodyFraming;
  /** Body length when `framing` is BODY_LENGTH. */
  readonly contentLength: number;
  /**
   * Content-Length came as a list of equal values (`47, 47`) or on several lines: one length
   * (RFC 9110 §8.6 lets a recipient take it as one), but servers read it differently
   * (Werkzeug reads no body at all), so the proxy forwards a single value.
   */
  readonly contentLengthRepeated: boolean;
  /** The connection stays open after this message (version default and Connection tokens). */
  readonly keepAlive: boolean;
  /** Connection lists `upgrade` and an Upgrade header is present. */
  readonly upgrade: boolean;
  readonly contentType: string | undefined;
}

export interface RequestHead extends SpecialFields {
  readonly method: string;
  /** The request target exactly as sent. */
  readonly target: string;
  /** Index in `fields` of the first Host name, or -1. */
  readonly hostIndex: number;
  /** The first Host value (undefined when absent). */
  readonly host: string | undefined;
}

export interface ResponseHead extends SpecialFields {
  readonly status: number;
  readonly reason: string;
  /** Indexes in `fields` of Location, Content-Location and Refresh names (for redirect rewriting). */
  readonly rewritable: number[] | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than HTAB, and CR or LF that are not part of a CRLF. */
const BAD_HEAD_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const DIGITS = /^\d+$/;

const H_HOST = 1;
const H_CONTENT_LENGTH = 2;
const H_TRANSFER_ENCODING = 3;
const H_CONNECTION = 4;
const H_UPGRADE = 5;
const H_CONTENT_TYPE = 6;
const H_LOCATION = 7;
const H_CONTENT_LOCATION = 8;
const H_REFRESH = 9;
const SPECIAL: ReadonlyMap<string, number> = new Map([
  ['host', H_HOST], ['content-length', H_CONTENT_LENGTH], ['transfer-encoding', H_TRANSFER_ENCODING], ['connection', H_CONNECTION],
  ['upgrade', H_UPGRADE], ['content-type', H_CONTENT_TYPE], ['location', H_LOCATION], ['content-location', H_CONTENT_LOCATION], ['refresh', H_REFRESH],
]);
/** Name lengths of the headers above: names of other lengths are never lower-cased. */
const SPECIAL_LENGTHS = new Uint8Array(32);
for (const name of SPECIAL.keys()) SPECIAL_LENGTHS[name.length] = 1;

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const LF_LF = Buffer.from('\n\n');

/**
 * Where the head starting at `start` ends (the offset just after its empty line), or -1 when
 * more bytes are needed. Throws for a head that uses bare LF line ends.
 */
export function headEnd(buf: Buffer, start: number): number {
  const i = buf.indexOf(CRLF_CRLF, start);
  if (i !== -1) return i + 4;
  if (buf.indexOf(LF_LF, start) !== -1) throw new HttpParseError('line ends must be CRLF', 400);
  return -1;
}

/** Offset of the first byte that is not part of leading empty lines (RFC 9112 §2.2 lets a server skip them). */
export function skipEmptyLines(buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

interface Scan {
  fields: string[];
  framing: BodyFraming;
  contentLength: number;
  hasContentLength: boolean;
  contentLengthRepeated: boolean;
  transferEncoding: string | undefined;
  connection: string | undefined;
  hasUpgrade: boolean;
  contentType: string | undefined;
  hostIndex: number;
  rewritable: number[] | undefined;
}

/** Parses the header lines of `head` after its start line; `what` names the message in errors. */
function scanFields(head: string, from: number, errStatus: number): Scan {
  const out: Scan = {
    fields: [], framing: BODY_NONE, contentLength: 0, hasContentLength: false, contentLengthRepeated: false, transferEncoding: undefined,
    connection: undefined, hasUpgrade: false, contentType: undefined, hostIndex: -1, rewritable: undefined,
  };
  const fields = out.fields;
  let pos = from;
  const end = head.length;
  while (pos < end) {
    let eol = head.indexOf('\r\n', pos);
    if (eol === -1) eol = end;
    const first = head.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) throw new HttpParseError('obsolete line folding in a header', errStatus);
    const colon = head.indexOf(':', pos);
    if (colon === -1 || colon >= eol || colon === pos) throw new HttpParseError(`malformed header line '${head.slice(pos, Math.min(eol, pos + 40))}'`, errStatus);
    const name = head.slice(pos, colon);
    if (!TOKEN.test(name)) throw new HttpParseError(`invalid header name '${name.slice(0, 40)}'`, errStatus);
    let vs = colon + 1;
    let ve = eol;
    while (vs < ve && (head.charCodeAt(vs) === 0x20 || head.charCodeAt(vs) === 0x09)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 0x20 || head.charCodeAt(ve - 1) === 0x09)) ve--;
    const value = head.slice(vs, ve);
    const index = fields.length;
    fields.push(name, value);
    pos = eol + 2;
    if (name.length >= SPECIAL_LENGTHS.length || SPECIAL_LENGTHS[name.length] === 0) continue;
    switch (SPECIAL.get(name.toLowerCase())) {
      case H_HOST:
        if (out.hostIndex === -1) out.hostIndex = index;
        break;
      case H_CONTENT_LENGTH: {
        // A list of equal values ("5, 5") is one length; anything else is ambiguous.
        for (const part of value.split(',')) {
          const v = part.trim();
          if (!DIGITS.test(v) || v.length > 15) throw new HttpParseError(`invalid Content-Length '${value.slice(0, 40)}'`, errStatus);
          const n = Number(v);
          if (out.hasContentLength) {
            if (n !== out.contentLength) throw new HttpParseError('conflicting Content-Length headers', errStatus);
            out.contentLengthRepeated = true;
          }
          out.contentLength = n;
          out.hasContentLength = true;
        }
        break;
      }
      case H_TRANSFER_ENCODING:
        out.transferEncoding = out.transferEncoding === undefined ? value : `${out.transferEncoding}, ${value}`;
        break;
      case H_CONNECTION:
        out.connection = out.connection === undefined ? value : `${out.connection}, ${value}`;
        break;
      case H_UPGRADE:
        out.hasUpgrade = true;
        break;
      case H_CONTENT_TYPE:
        out.contentType ??= value;
        break;
      case H_LOCATION:
      case H_CONTENT_LOCATION:
      case H_REFRESH:
        (out.rewritable ??= []).push(index);
        break;
    }
  }
  return out;
}

/** Lower-cased, trimmed tokens of a comma-separated header value. */
function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const t of value.split(',')) {
    const v = t.trim().toLowerCase();
    if (v) out.push(v);
  }
  return out;
}

function keepAliveOf(minor: number, connection: string | undefined): boolean {
  if (connection === undefined) return minor === 1;
  const list = tokens(connection);
  if (list.includes('close')) return false;
  return minor === 1 || list.includes('keep-alive');
}

function versionOf(v: string, errStatus: number): number {
  if (v === 'HTTP/1.1') return 1;
  if (v === 'HTTP/1.0') return 0;
  if (/^HTTP\/\d\.\d$/.test(v)) throw new HttpParseError(`unsupported protocol version ${v}`, errStatus === 400 ? 505 : errStatus);
  throw new HttpParseError(`not an HTTP/1.x message (${v.slice(0, 20) || 'no version'})`, errStatus);
}

/**
 * Methods and reason phrases as shared strings: the request and the response keep them for as
 * long as the exchange is recorded, and one string per method or phrase is enough.
 */
const METHODS = new Map(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'].map((m) => [m, m]));
const reasons = new Map<string, string>();

function sharedReason(reason: string): string {
  const known = reasons.get(reason);
  if (known !== undefined) return known;
  if (reasons.size >= 256) reasons.clear();
  reasons.set(reason, reason);
  return reason;
}

/** Parses a request head in `buf[start, end)` (`end` from headEnd). Throws HttpParseError. */
export function parseRequestHead(buf: Buffer, start: number, end: number): RequestHead {
  const head = buf.toString('latin1', start, end - 2);
  if (BAD_HEAD_CHAR.test(head)) throw new HttpParseError('control characters or bare CR/LF in the request head', 400);
  const lineEnd = head.indexOf('\r\n');
  const line = lineEnd === -1 ? head : head.slice(0, lineEnd);
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 === -1 || line.indexOf(' ', sp2 + 1) !== -1 || sp2 === sp1 + 1) throw new HttpParseError(`malformed request line '${line.slice(0, 60)}'`, 400);
  const sent = line.slice(0, sp1);
  if (!TOKEN.test(sent)) throw new HttpParseError(`invalid method '${sent.slice(0, 20)}'`, 400);
  const method = METHODS.get(sent) ?? sent;
  const target = line.slice(sp1 + 1, sp2);
  const minor = versionOf(line.slice(sp2 + 1), 400);
  const scan = scanFields(head, lineEnd === -1 ? head.length : lineEnd + 2, 400);
  let framing: BodyFraming = BODY_NONE;
  if (scan.transferEncoding !== undefined) {
    if (scan.hasContentLength) throw new HttpParseError('both Content-Length and Transfer-Encoding', 400);
    const codings = tokens(scan.transferEncoding);
    // Only a lone `chunked` can be delimited the same way by every server.
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new HttpParseError(`unsupported Transfer-Encoding '${scan.transferEncoding.slice(0, 40)}'`, 400);
    framing = BODY_CHUNKED;
  } else if (scan.hasContentLength && scan.contentLength > 0) {
    framing = BODY_LENGTH;
  }
  const upgrade = scan.hasUpgrade && tokens(scan.connection).includes('upgrade');
  return {
    method, target, minor, fields: scan.fields, headBytes: end - start, framing, contentLength: scan.contentLength, contentLengthRepeated: scan.contentLengthRepeated,
    keepAlive: keepAliveOf(minor, scan.connection), upgrade, contentType: scan.contentType,
    hostIndex: scan.hostIndex, host: scan.hostIndex === -1 ? undefined : scan.fields[scan.hostIndex + 1],
  };
}

/**
 * Parses a response head in `buf[start, end)`; `method` is the request's (HEAD responses have
 * no body). Throws HttpParseError (status 502) for anything a client could read differently.
 */
export function parseResponseHead(buf: Buffer, start: number, end: number, method: string): ResponseHead {
  const head = buf.toString('latin1', start, end - 2);
  if (BAD_HEAD_CHAR.test(head)) throw new HttpParseError('control characters or bare CR/LF in the response head', 502);
  const lineEnd = head.indexOf('\r\n');
  const line = lineEnd === -1 ? head : head.slice(0, lineEnd);
  const sp1 = line.indexOf(' ');
  const minor = versionOf(sp1 === -1 ? line : line.slice(0, sp1), 502);
  const code = sp1 === -1 ? '' : line.slice(sp1 + 1, sp1 + 4);
  if (!/^[1-5]\d\d$/.test(code) || (line.length > sp1 + 4 && line.charCodeAt(sp1 + 4) !== 0x20)) throw new HttpParseError(`malformed status line '${line.slice(0, 60)}'`, 502);
  const status = Number(code);
  const reason = sharedReason(line.slice(sp1 + 5));
  const scan = scanFields(head, lineEnd === -1 ? head.length : lineEnd + 2, 502);
  if (scan.transferEncoding !== undefined && scan.hasContentLength) throw new HttpParseError('the response has both Content-Length and Transfer-Encoding', 502);
  let framing: BodyFraming;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) framing = BODY_NONE;
  else if (scan.transferEncoding !== undefined) framing = tokens(scan.transferEncoding).at(-1) === 'chunked' ? BODY_CHUNKED : BODY_UNTIL_CLOSE;
  else if (scan.hasContentLength) framing = scan.contentLength > 0 ? BODY_LENGTH : BODY_NONE;
  else framing = BODY_UNTIL_CLOSE;
  return {
    status, reason, minor, fields: scan.fields, headBytes: end - start, framing, contentLength: scan.contentLength, contentLengthRepeated: scan.contentLengthRepeated,
    keepAlive: framing !== BODY_UNTIL_CLOSE && keepAliveOf(minor, scan.connection),
    upgrade: scan.hasUpgrade && tokens(scan.connection).includes('upgrade'), contentType: scan.contentType, rewritable: scan.rewritable,
  };
}

/** Receives the decoded bytes of a chunked body (the chunk data, without framing). */
export interface ChunkSink {
  push(chunk: Buffer): void;
}

const C_SIZE = 0;
const C_EXT = 1;
const C_SIZE_LF = 2;
const C_DATA = 3;
const C_DATA_CR = 4;
const C_DATA_LF = 5;
const C_TRAILER_START = 6;
const C_TRAILER = 7;
const C_TRAILER_LF = 8;
const C_END_LF = 9;
const C_DONE = 10;

/** Longest chunk-size line (size and extensions) accepted. */
const MAX_SIZE_LINE = 4096;

/**
 * Follows a chunked body byte by byte across arbitrary splits: finds where it ends and hands
 * the chunk data to a sink. Strict: a malformed size line, a missing CRLF after data or
 * oversized trailers throw HttpParseError.
 */
export class ChunkedDecoder {
  private state = C_SIZE;
  private size = 0;
  private digits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;

  constructor(private readonly maxTrailerBytes: number, private readonly errStatus: number) {}

  get done(): boolean {
    return this.state === C_DONE;
  }

  /**
   * Consumes `buf[start..]`; returns the offset just after the body's end when it ends inside
   * `buf`, else -1 (everything was consumed). Data goes to `sink` as views of `buf`.
   */
  feed(buf: Buffer, start: number, sink: ChunkSink | undefined): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case C_DATA: {
          const take = Math.min(this.size, n - i);
          if (sink !== undefined) sink.push(buf.subarray(i, i + take));
          i += take;
          this.size -= take;
          if (this.size === 0) this.state = C_DATA_CR;
          continue;
        }
        case C_SIZE: {
          const c = buf[i];
          const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
          if (v !== -1) {
            if (++this.digits > 12) throw this.error('chunk size too large');
            this.size = this.size * 16 + v;
            i++;
            continue;
          }
          if (this.digits === 0) throw this.error('missing chunk size');
          this.state = C_EXT;
          continue;
        }
        case C_EXT: {
          const c = buf[i++];
          if (++this.lineBytes > MAX_SIZE_LINE) throw this.error('chunk extension too long');
          if (c === 0x0d) this.state = C_SIZE_LF;
          else if (c === 0x0a || (c < 0x20 && c !== 0x09) || c === 0x7f) throw this.error('invalid character in a chunk size line');
          continue;
        }
        case C_SIZE_LF:
          if (buf[i++] !== 0x0a) throw this.error('chunk size line not ended by CRLF');
          this.lineBytes = 0;
          this.digits = 0;
          this.state = this.size === 0 ? C_TRAILER_START : C_DATA;
          continue;
        case C_DATA_CR:
          if (buf[i++] !== 0x0d) throw this.error('chunk data longer than its size');
          this.state = C_DATA_LF;
          continue;
        case C_DATA_LF:
          if (buf[i++] !== 0x0a) throw this.error('chunk data not followed by CRLF');
          this.state = C_SIZE;
          continue;
        case C_TRAILER_START: {
          const c = buf[i++];
          if (c === 0x0d) this.state = C_END_LF;
          else if (c === 0x0a) throw this.error('bare LF in trailers');
          else this.state = C_TRAILER;
          this.trailerBytes++;
          continue;
        }
        case C_TRAILER: {
          const c = buf[i++];
          if (++this.trailerBytes > this.maxTrailerBytes) throw this.error('trailers too large');
          if (c === 0x0d) this.state = C_TRAILER_LF;
          else if (c === 0x0a || (c < 0x20 && c !== 0x09) || c === 0x7f) throw this.error('invalid character in a trailer');
          continue;
        }
        case C_TRAILER_LF:
          if (buf[i++] !== 0x0a) throw this.error('trailer line not ended by CRLF');
          this.state = C_TRAILER_START;
          continue;
        case C_END_LF:
          if (buf[i++] !== 0x0a) throw this.error('chunked body not ended by CRLF');
          this.state = C_DONE;
          return i;
        default:
          return i;
      }
    }
    return this.state === C_DONE ? i : -1;
  }

  private error(message: string): HttpParseError {
    return new HttpParseError(`malformed chunked body: ${message}`, this.errStatus);
  }
}
