import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarFormatError, SessionStore, importHar, importHarStream } from '../../../src/core/capture';
import { decodeBody } from '../../../src/core/session/bodyPreview';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/har', name), 'utf8');

/** The text as chunks of `size` bytes (1: every byte on its own, so every boundary is crossed). */
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The parts of a snapshot that say what was imported (ids and the store's clock aside). */
function imported(store: SessionStore): unknown {
  const snap = store.snapshot();
  return {
    exchanges: snap.exchanges.map((e) => ({ ...e, id: undefined })),
    cookies: snap.cookies,
    tokens: snap.tokens.map((t) => ({ ...t, id: undefined, exchangeId: undefined })),
  };
}

describe('HAR import from a stream, one entry at a time', () => {
  for (const name of ['chrome.har', 'firefox.har', 'insomnia.har']) {
    for (const size of [1, 7, 4096]) {
      it(`${name} in ${size}-byte chunks gives what the in-memory import gives`, async () => {
        const text = fixture(name);
        const whole = new SessionStore({ now: () => 0 });
        const streamed = new SessionStore({ now: () => 0 });
        const expected = importHar(whole, text);
        const result = await importHarStream(streamed, chunks(text, size));
        assert.deepEqual(result, expected);
        assert.deepEqual(imported(streamed), imported(whole));
      });
    }
  }

  it('strings with escaped quotes and backslashes, names split across chunks, a BOM, entries out of order', async () => {
    const entry = (t: string, name: string) => ({
      startedDateTime: t,
      request: { method: 'GET', url: 'http://localhost/', headers: [{ name: 'X-Note', value: 'a "quoted" \\ ] } , [ {' }] },
      response: { status: 200, headers: [{ name: 'Set-Cookie', value: `${name}=v; Path=/` }], content: { mimeType: 'text/plain', text: '\\\\"}]' } },
    });
    const text = `\ufeff{"log" : {"pages":[{"x":"entries"}], "entries" : [ ${JSON.stringify(entry('2026-01-01T00:00:02Z', 'b'))} ,${JSON.stringify(entry('2026-01-01T00:00:01Z', 'a'))}], "creator": {"name":"T","version":"1"}}}`;
    for (const size of [1, 3, 64]) {
      const store = new SessionStore();
      const result = await importHarStream(store, chunks(text, size));
      assert.equal(result.imported, 2);
      assert.equal(result.creator, 'T 1');
      const snap = store.snapshot();
      assert.deepEqual(snap.exchanges.map((e) => e.cookiesSet[0]?.name), ['a', 'b'], 'applied in time order');
      assert.equal(snap.exchanges[0].requestHeaders[0].value, 'a "quoted" \\ ] } , [ {');
    }
  });

  for (const [what, text, message] of [
    ['not JSON', 'GET / HTTP/1.1\r\n', /^not JSON \(Unexpected token/],
    ['NUL bytes', '\u0000\u0000\u0000', /^not JSON/],
    ['cut short inside an entry', '{"log":{"entries":[{"request":{"url":"http://x/"', /^not JSON \(the text ends inside log\.entries\[0\] before the JSON does: the file is cut short\)$/],
    ['cut short after an entry', '{"log":{"entries":[{"request":{"url":"http://x/"}}', /^not JSON \(the text ends inside log\.entries\[0\] before the JSON does/],
    ['cut short after the entries', '{"log":{"entries":[{"request":{"url":"http://x/"}}]', /^not JSON \(the text ends before the JSON does/],
    ['cut short inside a string', '{"log":{"entries":[], "creator": "ab', /cut short/],
    ['an entry that is not JSON', '{"log":{"entries":[{"a":1,}]}}', /^not JSON \(.*in log\.entries\[0\]\)/],
    ['no log', '{"foo":{"entries":[]}}', /^not a HAR file: no "log" object$/],
    ['entries not an array', '{"log":{"entries":{}}}', /^not a HAR file: "log.entries" is not an array$/],
    ['a JSON array', '[1,2]', /^not a HAR file: the top level is not a JSON object$/],
  ] as [string, string, RegExp][]) {
    it(`refuses ${what} with a one-line reason`, async () => {
      await assert.rejects(importHarStream(new SessionStore(), chunks(text, 5)), (err: unknown) => err instanceof HarFormatError && message.test(err.message));
    });
  }

  it('entries wait in a bounded window: near disorder is sorted, far disorder applied late with a warning', async () => {
    const entry = (second: number) => ({ startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), request: { url: `http://localhost/${second}` }, response: { status: 200 } });
    // Each prepared entry weighs about 550 bytes: a 2,000-byte window holds three or four.
    const seconds = [1, 3, 2, 4, 5, 6, 7, 8, 9, 0];
    const store = new SessionStore();
    const result = await importHarStream(store, chunks(JSON.stringify({ log: { entries: seconds.map(entry) } }), 100), { orderWindowBytes: 2000 });
    assert.equal(result.imported, 10);
    assert.equal(result.skipped, 0, 'an entry applied late is imported, not skipped');
    const paths = store.snapshot().exchanges.map((e) => e.path);
    assert.deepEqual(paths.filter((p) => p !== '/0'), ['/1', '/2', '/3', '/4', '/5', '/6', '/7', '/8', '/9'], 'the near disorder (3 before 2) is sorted');
    assert.ok(paths.indexOf('/0') > 3, 'the last entry, older than all, comes after those already applied');
    assert.deepEqual(result.warnings, ['entry older than entries already applied (the HAR is far from time order): applied after them']);
    // Without a window limit (the in-memory import) the order is exact.
    const whole = new SessionStore();
    importHar(whole, JSON.stringify({ log: { entries: seconds.map(entry) } }));
    assert.deepEqual(whole.snapshot().exchanges.map((e) => e.path), ['/0', '/1', '/2', '/3', '/4', '/5', '/6', '/7', '/8', '/9']);
  });

  it('an entry over the entry limit is skipped with a warning, the others imported', async () => {
    const small = { startedDateTime: '2026-01-01T00:00:00Z', request: { url: 'http://localhost/a' }, response: { status: 200 } };
    const big = { ...small, request: { url: 'http://localhost/b' }, response: { status: 200, content: { text: 'x'.repeat(10_000) } } };
    const store = new SessionStore();
    const result = await importHarStream(store, chunks(JSON.stringify({ log: { entries: [small, big, small] } }), 1000), { maxEntryBytes: 5000 });
    assert.equal(result.imported, 2);
    assert.deepEqual(result.warnings, ['entry larger than 0.00476837158203125 MiB, not read']);
  });
  it('in slices (sliceMs): the same import, the store\'s change event once per slice, and the event loop runs between slices', async () => {
    for (const name of ['chrome.har', 'firefox.har']) {
      const text = fixture(name);
      const whole = new SessionStore({ now: () => 0 });
      const expected = importHar(whole, text);
      const sliced = new SessionStore({ now: () => 0, throttleMs: 60_000 });
      const events: number[] = [];
      sliced.onDidChange((e) => events.push(e.exchangesAdded.length));
      // The chunks never wait for I/O: only the slices' waits let this run before the import ends.
      let ranBetween = false;
      setImmediate(() => { ranBetween = true; });
      // 0 ms: every entry is a slice of its own.
      const result = await importHarStream(sliced, chunks(text, 4096), { sliceMs: 0 });
      assert.deepEqual(result, expected);
      assert.deepEqual(imported(sliced), imported(whole));
      // With a 60 s throttle, only the slices' own flushes deliver events before the end.
      assert.ok(events.length >= expected.imported, `${name}: ${events.length} change events for ${expected.imported} entries`);
      assert.ok(ranBetween, `${name}: the event loop did not run during the import`);
    }
  });
});

describe('HAR bodies and the order window (cost of a large import)', () => {
  it('a body handed to the store as text gives the preview and text its UTF-8 bytes give', () => {
    const texts = ['', 'plain', '{"access_token":"a.b.c","é":"€😀"}', 'x'.repeat(40), `lone ${'\ud800'} surrogate`, '€'.repeat(30)];
    for (const text of texts) {
      for (const [analysis, retain] of [[1024, 16], [1024, 0], [1024, 1024], [10, 4]]) {
        for (const mimeType of ['application/json', 'image/png']) {
          const common = { wireBytes: Buffer.byteLength(text), truncated: false, decoded: true, mimeType };
          const asText = decodeBody({ ...common, text }, [], analysis, retain);
          const asBytes = decodeBody({ ...common, bytes: Buffer.from(text) }, [], analysis, retain);
          assert.deepEqual(asText, asBytes, `${JSON.stringify(text)} analysis ${analysis} retain ${retain} ${mimeType}`);
        }
      }
    }
  });

  it('orderWindowEntries bounds the entries waiting: near disorder is still sorted, far disorder applied late with a warning', async () => {
    const entry = (second: number) => ({ startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), request: { url: `http://localhost/${second}` }, response: { status: 200 } });
    const seconds = [1, 3, 2, 4, 5, 6, 7, 8, 9, 0];
    const store = new SessionStore();
    const result = await importHarStream(store, chunks(JSON.stringify({ log: { entries: seconds.map(entry) } }), 100), { orderWindowEntries: 4 });
    assert.equal(result.imported, 10);
    const paths = store.snapshot().exchanges.map((e) => e.path);
    assert.deepEqual(paths.filter((p) => p !== '/0'), ['/1', '/2', '/3', '/4', '/5', '/6', '/7', '/8', '/9'], 'the near disorder (3 before 2) is sorted');
    assert.ok(paths.indexOf('/0') > 3, 'the last entry, older than all, comes after those already applied');
    assert.deepEqual(result.warnings, ['entry older than entries already applied (the HAR is far from time order): applied after them']);
  });
});

describe('HAR bodies cut out of their entry as bytes (long bodies without escapes)', () => {
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'u', exp: 1_900_000_000 })).toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
  /** Text of `length` characters with `insert` at `at`. */
  const page = (length: number, at: number, insert: string, fill = 'abcdefgh ') => {
    const base = fill.repeat(Math.ceil(length / fill.length)).slice(0, length);
    return `${base.slice(0, at)} ${insert} ${base.slice(at)}`;
  };
  const entry = (i: number, content: Record<string, unknown>, postText?: string) => ({
    startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    request: { method: postText ? 'POST' : 'GET', url: `http://localhost/${i}`, headers: [], ...(postText ? { postData: { mimeType: 'application/json', text: postText } } : {}) },
    response: { status: 200, headers: [], content },
  });
  const bodies: Record<string, unknown>[] = [
    { mimeType: 'text/html', text: page(40_000, 0, '') },
    // A JWT across each window edge of the byte check (32 KiB windows), and one far out.
    ...[32_760, 32_766, 32_768, 65_530].map((at) => ({ mimeType: 'text/html', text: page(70_000, at, jwt) })),
    // "token" case-folded through the Kelvin sign (3 bytes in UTF-8) across a window edge.
    { mimeType: 'text/plain', text: page(70_000, 32_765, 'to\u212Aen') },
    { mimeType: 'application/json', text: JSON.stringify({ access_token: jwt, expires_in: 3600, pad: page(30_000, 0, '') }) },
    // Multi-byte characters everywhere, also cut by the chunks and the windows.
    { mimeType: 'text/html', text: page(50_000, 100, jwt, '€😀é ') },
    // Escapes (not cut: JSON.parse decodes them), a lone surrogate, a body over the analysis limit.
    { mimeType: 'text/html', text: page(40_000, 10, 'line\nbreak "quoted" \\ back') },
    { mimeType: 'text/html', text: page(40_000, 10, '\ud800 lone') },
    { mimeType: 'text/html', text: page(1_100_000, 1_050_000, jwt) },
    // Base64 (long, ASCII), and short bodies (never cut).
    { mimeType: 'text/html', encoding: 'base64', text: Buffer.from(page(60_000, 5, jwt)).toString('base64') },
    { mimeType: 'text/html', text: page(100, 5, jwt) },
    // A forged placeholder is text like any other.
    { mimeType: 'text/plain', text: `\u0000session-lens-body-0000000000000000-0${page(20_000, 0, '')}` },
  ];
  const har = JSON.stringify({ log: { entries: bodies.map((content, i) => entry(i, content, i === 6 ? page(20_000, 3, jwt) : undefined)) } });

  for (const size of [997, 16 * 1024, 1024 * 1024]) {
    it(`give what the in-memory import gives (${size}-byte chunks): previews, tokens, sizes`, async () => {
      for (const retainedPreviewBytes of [0, 16 * 1024]) {
        const whole = new SessionStore({ now: () => 0, retainedPreviewBytes });
        const streamed = new SessionStore({ now: () => 0, retainedPreviewBytes });
        const expected = importHar(whole, har);
        const result = await importHarStream(streamed, chunks(har, size));
        assert.deepEqual(result, expected);
        assert.deepEqual(imported(streamed), imported(whole));
        // Found in each body that holds it (the token response's also as an OAuth access token).
        const snap = streamed.snapshot();
        const ids = new Set(snap.tokens.filter((t) => t.value === jwt).map((t) => t.id));
        const carriers = snap.exchanges.filter((e) => e.tokenIds.some((id) => ids.has(id))).map((e) => e.path);
        assert.deepEqual(carriers, ['/1', '/2', '/3', '/4', '/6', '/7', '/11', '/12'], 'the JWT is found in every body that holds it (within the analysis limit)');
      }
    });
  }

  it('bytes that are not valid UTF-8 read as the in-memory import reads them (U+FFFD)', async () => {
    const text = Buffer.from(JSON.stringify({ log: { entries: [entry(0, { mimeType: 'text/plain', text: `${page(20_000, 0, '')}XX${jwt}` })] } }));
    const at = text.indexOf('XX');
    text[at] = 0xff;
    text[at + 1] = 0xc3;
    const whole = new SessionStore({ now: () => 0, retainedPreviewBytes: 64 * 1024 });
    const streamed = new SessionStore({ now: () => 0, retainedPreviewBytes: 64 * 1024 });
    importHar(whole, text.toString('utf8'));
    await importHarStream(streamed, (async function* () { yield text.subarray(0, 5000); yield text.subarray(5000); })());
    assert.deepEqual(imported(streamed), imported(whole));
    assert.ok(streamed.snapshot().exchanges[0].responseBody?.text?.includes('\ufffd'));
  });

  it('a raw control character in a long body is refused as JSON.parse refuses it, with the entry named', async () => {
    const text = JSON.stringify({ log: { entries: [entry(0, { text: 'ok' }), entry(1, { text: page(20_000, 0, '') })] } }).replace('abcdefgh ', 'abc\tdefgh ');
    await assert.rejects(importHarStream(new SessionStore(), chunks(text, 4096)), (err: unknown) => err instanceof HarFormatError && /^not JSON \(Bad control character in string literal.*in log\.entries\[1\]\)$/.test(err.message));
  });

  it('a long body over the entry limit is skipped like any large entry, without holding it', async () => {
    const text = JSON.stringify({ log: { entries: [entry(0, { text: page(200_000, 0, '') }), entry(1, { text: 'ok' })] } });
    const store = new SessionStore();
    const result = await importHarStream(store, chunks(text, 4096), { maxEntryBytes: 100_000 });
    assert.equal(result.imported, 1);
    assert.deepEqual(result.warnings, ['entry larger than 0.095367431640625 MiB, not read']);
  });
});
