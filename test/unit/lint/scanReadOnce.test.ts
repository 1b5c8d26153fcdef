import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { scanFiles } from '../../../src/core/lint/scanner';

// The module object itself (an `import * as` namespace is read-only): the scanner's reads go through it.
const nodeFs = createRequire(__filename)('node:fs') as typeof fs;

describe('a one-thread scan reads each file once', () => {
  let root: string;
  const write = (rel: string, content: string) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  };

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-read-once-'));
    // The constants file starts with a byte order mark, as editors on Windows write it.
    write('config/secrets.js', "\uFEFFexport const SESSION_SECRET = 'keyboard cat';\n");
    write('server.js', "import session from 'express-session';\nimport { SESSION_SECRET } from './config/secrets';\napp.use(session({ secret: SESSION_SECRET, cookie: { secure: true, httpOnly: true, sameSite: 'lax' } }));\n");
    write('settings.py', "SESSION_COOKIE_SECURE = False\n");
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Opens of each file of the folder while `run` runs (the scan opens files with fs.openSync). */
  async function countOpens<T>(run: () => Promise<T>): Promise<{ result: T; opens: Map<string, number> }> {
    const opens = new Map<string, number>();
    const original = nodeFs.openSync;
    (nodeFs as { openSync: typeof fs.openSync }).openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
      const file = String(p);
      if (file.startsWith(root)) opens.set(path.relative(root, file), (opens.get(path.relative(root, file)) ?? 0) + 1);
      return (original as (...a: unknown[]) => number)(p, ...rest);
    }) as typeof fs.openSync;
    try {
      return { result: await run(), opens };
    } finally {
      (nodeFs as { openSync: typeof fs.openSync }).openSync = original;
    }
  }

  it('the symbol table and the lint share one read of each file, with the same findings as without the table', async () => {
    const { result, opens } = await countOpens(() => scanFiles([root], { workers: 0 }));
    assert.deepEqual([...opens.entries()].sort(), [['config/secrets.js', 1], ['server.js', 1], ['settings.py', 1]]);
    assert.equal(result.problems.length, 0, JSON.stringify(result.problems));
    const without = await scanFiles([root], { workers: 0, crossFile: false });
    const key = (f: { file: string; ruleId: string; range: { start: { line: number } } }) => `${path.relative(root, f.file)}:${f.range.start.line}:${f.ruleId}`;
    // The imported secret is the table's doing; everything else is the same with or without it.
    const withTable = result.findings.map(key).sort();
    assert.ok(withTable.includes('server.js:2:session-hardcoded-secret'), withTable.join(', '));
    assert.deepEqual(withTable.filter((k) => k !== 'server.js:2:session-hardcoded-secret'), without.findings.map(key).sort());
  });

  it('a constants file that starts with a byte order mark is indexed like one without', async () => {
    const { result } = await countOpens(() => scanFiles([root], { workers: 0 }));
    const secret = result.findings.find((f) => f.ruleId === 'session-hardcoded-secret');
    assert.ok(secret, 'the secret imported from the file with a byte order mark is reported');
    assert.match(secret.message, /secrets\.js/);
  });
});
