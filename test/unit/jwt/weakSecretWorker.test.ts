import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { handleWeakSecretRequest, type WeakSecretResponse } from '../../../src/core/jwt/weakSecretWorker';
import * as V from '../../fixtures/jwt/vectors';
import { hmacToken } from './tokens';

describe('weak-secret worker', () => {
  it('answers JWT and cookie requests in-process', () => {
    assert.deepEqual(handleWeakSecretRequest({ id: 1, kind: 'jwt', token: V.V7_HELLO_SECRET }), {
      id: 1, kind: 'jwt', match: { alg: 'HS256', secret: 'secret', display: '"secret"' },
    });
    assert.deepEqual(handleWeakSecretRequest({ id: 2, kind: 'jwt', token: V.V2 }), { id: 2, kind: 'jwt', match: null });
    const r = handleWeakSecretRequest({ id: 3, kind: 'cookie', name: 'connect.sid', value: `s:abc.${'C'.repeat(43)}` });
    assert.deepEqual(r, { id: 3, kind: 'cookie', match: null });
  });

  it('rejects malformed messages with an error response', () => {
    for (const bad of [null, 42, 'x', {}, { id: 4, kind: 'jwt' }, { id: 5, kind: 'cookie', name: 1 }]) {
      assert.equal(handleWeakSecretRequest(bad).kind, 'error');
    }
  });

  describe('as a real worker thread (bundled with esbuild)', () => {
    let dir: string;
    let worker: Worker;
    before(async function () {
      this.timeout(60_000);
      dir = mkdtempSync(join(tmpdir(), 'sl-worker-'));
      const outfile = join(dir, 'weakSecretWorker.js');
      await build({ entryPoints: [join(__dirname, '..', '..', '..', 'src', 'core', 'jwt', 'weakSecretWorker.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
      worker = new Worker(outfile);
    });
    after(async () => {
      await worker?.terminate();
      rmSync(dir, { recursive: true, force: true });
    });

    it('finds the secret off the main thread', async () => {
      const token = hmacToken({ alg: 'HS384' }, { sub: 'w' }, 'keyboard cat', 'sha384');
      const answer = new Promise<WeakSecretResponse>((resolve) => worker.once('message', resolve));
      worker.postMessage({ id: 9, kind: 'jwt', token });
      const response = await answer;
      assert.equal(response.kind, 'jwt');
      assert.equal(response.kind === 'jwt' && response.match?.secret, 'keyboard cat');
      assert.equal(response.id, 9);
    });
  });
});
