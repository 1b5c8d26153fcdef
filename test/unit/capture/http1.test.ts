import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import {
  BODY_CHUNKED, BODY_LENGTH, BODY_NONE, BODY_UNTIL_CLOSE, ChunkedDecoder, HttpParseError, headEnd, parseRequestHead, parseResponseHead,
} from '../../../src/core/capture/http1';

function request(text: string) {
  const buf = Buffer.from(text, 'latin1');
  const end = headEnd(buf, 0);
  assert.notEqual(end, -1, 'head incomplete');
  return parseRequestHead(buf, 0, end);
}

function response(text: string, method = 'GET') {
  const buf = Buffer.from(text, 'latin1');
  return parseResponseHead(buf, 0, headEnd(buf, 0), method);
}

function rejects(fn: () => unknown, status: number, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof HttpParseError && err.status === status && pattern.test(err.message));
}

/** Decodes `body` fed in the given pieces; returns the data and where the body ended. */
function dechunk(body: Buffer, cuts: number[] = []): { data: Buffer; end: number } {
  const decoder = new ChunkedDecoder(1024, 502);
  const out: Buffer[] = [];
  const points = [...new Set(cuts.map((c) => Math.min(body.length, c)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, body.length]) {
    const piece = body.subarray(from, to);
    const r = decoder.feed(piece, 0, { push: (c) => out.push(Buffer.from(c)) });
    if (r !== -1) return { data: Buffer.concat(out), end: from + r };
    from = to;
  }
  return { data: Buffer.concat(out), end: -1 };
}

describe('HTTP/1.x heads and framing', () => {
  it('keeps header names, case, order and duplicates; finds the fields the proxy acts on', () => {
    const head = request('POST /a?b=%2F HTTP/1.1\r\nhost: x:1\r\nX-Mixed-Case:  v  \r\nCookie: a=1\r\nCookie: b=2\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n');
    assert.equal(head.method, 'POST');
    assert.equal(head.target, '/a?b=%2F');
    assert.equal(head.minor, 1);
    assert.deepEqual(head.fields, ['host', 'x:1', 'X-Mixed-Case', 'v', 'Cookie', 'a=1', 'Cookie', 'b=2', 'Content-Type', 'application/json', 'Content-Length', '12']);
    assert.equal(head.host, 'x:1');
    assert.equal(head.framing, BODY_LENGTH);
    assert.equal(head.contentLength, 12);
    assert.equal(head.contentType, 'application/json');
    assert.equal(head.keepAlive, true);
  });

  it('derives keep-alive from the version and Connection', () => {
    assert.equal(request('GET / HTTP/1.0\r\n\r\n').keepAlive, false);
    assert.equal(request('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n').keepAlive, true);
    assert.equal(request('GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n').keepAlive, false);
    const up = request('GET /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n');
    assert.equal(up.upgrade, true);
    assert.equal(request('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n').upgrade, false);
  });

  it('frames request bodies: chunked, length, none; equal repeated lengths are one', () => {
    assert.equal(request('POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n').framing, BODY_CHUNKED);
    assert.equal(request('POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n').framing, BODY_NONE);
    assert.equal(request('GET / HTTP/1.1\r\n\r\n').framing, BODY_NONE);
    assert.equal(request('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n').contentLength, 5);
    assert.equal(request('POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n').contentLength, 5);
    // Repeated equal values are one length, and flagged so the proxy forwards a single value.
    assert.equal(request('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n').contentLengthRepeated, true);
    assert.equal(request('POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n').contentLengthRepeated, true);
    assert.equal(request('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n').contentLengthRepeated, false);
    rejects(() => request('POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n'), 400, /conflicting Content-Length/);
  });

  it('refuses what two servers could frame differently (request smuggling) with 400', () => {
    rejects(() => request('POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n'), 400, /both Content-Length and Transfer-Encoding/);
    rejects(() => request('POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n'), 400, /unsupported Transfer-Encoding/);
    rejects(() => request('POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'), 400, /unsupported Transfer-Encoding/);
    rejects(() => request('POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'), 400, /conflicting Content-Length/);
    rejects(() => request('POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n'), 400, /invalid Content-Length/);
    rejects(() => request('POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n'), 400, /invalid Content-Length/);
    rejects(() => request('GET / HTTP/1.1\r\nContent-Length : 0\r\n\r\n'), 400, /invalid header name/);
    rejects(() => request('GET / HTTP/1.1\r\nBad Header: x\r\n\r\n'), 400, /invalid header name/);
    rejects(() => request('GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n'), 400, /obsolete line folding/);
    rejects(() => request('GET / HTTP/1.1\r\nX: a\rb\r\n\r\n'), 400, /bare CR/);
    rejects(() => request('GET / HTTP/1.1\r\nX: a\x00\r\n\r\n'), 400, /control characters/);
    rejects(() => request('GET / HTTP/1.1\r\nnocolon\r\n\r\n'), 400, /malformed header line/);
    rejects(() => headEnd(Buffer.from('GET / HTTP/1.1\nHost: x\n\n'), 0), 400, /CRLF/);
  });

  it('checks the request line', () => {
    rejects(() => request('G@T / HTTP/1.1\r\n\r\n'), 400, /invalid method/);
    rejects(() => request('GET  / HTTP/1.1\r\n\r\n'), 400, /malformed request line/);
    rejects(() => request('GET / HTTP/1.1 x\r\n\r\n'), 400, /malformed request line/);
    rejects(() => request('GET / HTTP/2.0\r\n\r\n'), 505, /unsupported protocol version HTTP\/2.0/);
    rejects(() => request('GET / FTP/1.0\r\n\r\n'), 400, /not an HTTP\/1.x message/);
  });

  it('frames responses by method and status, then Transfer-Encoding, Content-Length, or close', () => {
    assert.equal(response('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', 'HEAD').framing, BODY_NONE);
    assert.equal(response('HTTP/1.1 204 No Content\r\n\r\n').framing, BODY_NONE);
    assert.equal(response('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').framing, BODY_NONE);
    assert.equal(response('HTTP/1.1 100 Continue\r\n\r\n').framing, BODY_NONE);
    assert.equal(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n').framing, BODY_CHUNKED);
    assert.equal(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n').framing, BODY_UNTIL_CLOSE);
    const eof = response('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n');
    assert.equal(eof.framing, BODY_UNTIL_CLOSE);
    assert.equal(eof.keepAlive, false);
    const ok = response('HTTP/1.1 302 Found\r\nLocation: http://x/\r\nContent-Length: 0\r\nContent-Location: /c\r\n\r\n');
    assert.equal(ok.status, 302);
    assert.equal(ok.reason, 'Found');
    assert.deepEqual(ok.rewritable, [0, 4]);
    assert.equal(response('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n').reason, '');
    rejects(() => response('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n'), 502, /both Content-Length and Transfer-Encoding/);
    rejects(() => response('HTTP/1.1 20 OK\r\n\r\n'), 502, /malformed status line/);
    rejects(() => response('HTTP/1.1 200 OK\r\nX\x01: y\r\n\r\n'), 502, /control characters/);
  });

  it('decodes chunked bodies with extensions and trailers, and says where they end', () => {
    const body = Buffer.from('5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\n\r\nNEXT');
    const { data, end } = dechunk(body);
    assert.equal(data.toString(), 'hello0123456789');
    assert.equal(body.subarray(end).toString(), 'NEXT');
  });

  it('refuses malformed chunked bodies', () => {
    const bad = (s: string, pattern: RegExp) => rejects(() => dechunk(Buffer.from(s)), 502, pattern);
    bad('x\r\n', /missing chunk size/);
    bad('5\r\nhelloX\r\n', /chunk data longer than its size/);
    bad('5\nhello\r\n', /invalid character in a chunk size line/);
    bad('fffffffffffff\r\n', /chunk size too large/);
    bad(`0\r\nX: ${'y'.repeat(2000)}\r\n\r\n`, /trailers too large/);
  });

  it('decodes the same whatever the split points (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
      fc.array(fc.nat(400), { maxLength: 8 }),
      fc.boolean(),
      (chunks, cuts, trailers) => {
        const parts: Buffer[] = [];
        for (const c of chunks) parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), Buffer.from(c), Buffer.from('\r\n'));
        parts.push(Buffer.from(trailers ? '0\r\nA: b\r\n\r\n' : '0\r\n\r\n'));
        const body = Buffer.concat(parts);
        const { data, end } = dechunk(Buffer.concat([body, Buffer.from('rest')]), cuts);
        assert.deepEqual(data, Buffer.concat(chunks.map((c) => Buffer.from(c))));
        assert.equal(end, body.length);
      },
    ), { numRuns: 300 });
  });

  it('never throws anything but HttpParseError on arbitrary heads (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('GET', 'HEAD'), (bytes, method) => {
      const buf = Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]);
      for (const parse of [() => parseRequestHead(buf, 0, headEnd(buf, 0)), () => parseResponseHead(buf, 0, headEnd(buf, 0), method)]) {
        try {
          parse();
        } catch (err) {
          assert.ok(err instanceof HttpParseError, String(err));
        }
      }
    }), { numRuns: 500 });
  });
});
