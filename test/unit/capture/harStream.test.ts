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
