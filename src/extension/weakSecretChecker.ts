import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { WeakSecretMatch } from '../core/jwt/findWeakSecret';
import type { WeakSecretRequest, WeakSecretResponse } from '../core/jwt/weakSecretWorker';

const MAX_CACHED = 2000;

/**
 * Runs the weak-secret dictionary (hundreds of HMACs per token) in a worker thread, so the
 * extension host never blocks on it. Results are cached per token; `onDidResolve` fires when
 * new answers arrive so views can re-read.
 */
export class WeakSecretChecker implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { token: string; resolve: (m: WeakSecretMatch | null) => void }>();
  private readonly results = new Map<string, WeakSecretMatch | null>();
  private readonly inflight = new Map<string, Promise<WeakSecretMatch | null>>();
  private readonly resolved = new vscode.EventEmitter<void>();
  readonly onDidResolve = this.resolved.event;

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  /** The cached answer: a match, null (checked, not weak), or undefined (not checked yet; a check starts). */
  peek(token: string): WeakSecretMatch | null | undefined {
    if (this.results.has(token)) return this.results.get(token);
    void this.check(token);
    return undefined;
  }

  /** Checks one token against the dictionary in the worker. */
  check(token: string): Promise<WeakSecretMatch | null> {
    if (this.results.has(token)) return Promise.resolve(this.results.get(token)!);
    let p = this.inflight.get(token);
    if (!p) {
      p = new Promise<WeakSecretMatch | null>((resolve) => {
        const id = this.nextId++;
        this.waiting.set(id, { token, resolve });
        const request: WeakSecretRequest = { id, kind: 'jwt', token };
        try {
          this.ensureWorker().postMessage(request);
        } catch (err) {
          this.waiting.delete(id);
          this.log.warn(`weak-secret check unavailable: ${err instanceof Error ? err.message : String(err)}`);
          resolve(null);
        }
      }).then((match) => {
        this.inflight.delete(token);
        if (this.results.size >= MAX_CACHED) this.results.delete(this.results.keys().next().value!);
        this.results.set(token, match);
        this.resolved.fire();
        return match;
      });
      this.inflight.set(token, p);
    }
    return p;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(this.extensionUri.fsPath, 'dist', 'engines', 'weakSecretWorker.js'));
    worker.unref();
    worker.on('message', (response: WeakSecretResponse) => {
      const w = this.waiting.get(response.id);
      if (!w) return;
      this.waiting.delete(response.id);
      w.resolve(response.kind === 'jwt' ? response.match : null);
    });
    worker.on('error', (err) => {
      this.log.warn(`weak-secret worker failed: ${err.message}`);
      this.failAll();
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll();
    });
    this.worker = worker;
    return worker;
  }

  private failAll(): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.resolve(null);
    }
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.failAll();
    this.resolved.dispose();
  }
}
