/**
 * Worker-thread entry for the dictionary checks, so the extension host never blocks on hundreds of
 * HMACs: bundle this file as its own entry point and start it with `new Worker(path)`. Messages are
 * plain data (`WeakSecretRequest` in, `WeakSecretResponse` out); the module can also be imported
 * in-process, where `handleWeakSecretRequest` does the same work synchronously.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { findWeakSessionSecret, type WeakSessionSecretMatch } from '../signedCookies/verifySignedCookie';
import { findWeakSecret, type WeakSecretMatch } from './findWeakSecret';

export type WeakSecretRequest =
  | { readonly id: number; readonly kind: 'jwt'; readonly token: string }
  | { readonly id: number; readonly kind: 'cookie'; readonly name: string; readonly value: string; readonly cookies?: Readonly<Record<string, string>> };

export type WeakSecretResponse =
  | { readonly id: number; readonly kind: 'jwt'; readonly match: WeakSecretMatch | null }
  | { readonly id: number; readonly kind: 'cookie'; readonly match: WeakSessionSecretMatch | null }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };

/** Answers one request; never throws, whatever the message holds. */
export function handleWeakSecretRequest(request: unknown): WeakSecretResponse {
  const r = request as Partial<Record<string, unknown>> | null;
  const id = typeof r?.id === 'number' ? r.id : -1;
  if (r?.kind === 'jwt' && typeof r.token === 'string') {
    return { id, kind: 'jwt', match: findWeakSecret(r.token) ?? null };
  }
  if (r?.kind === 'cookie' && typeof r.name === 'string' && typeof r.value === 'string') {
    const cookies = r.cookies !== null && typeof r.cookies === 'object' ? (r.cookies as Record<string, string>) : undefined;
    return { id, kind: 'cookie', match: findWeakSessionSecret(r.name, r.value, cookies ? { cookies } : {}) ?? null };
  }
  return { id, kind: 'error', message: 'expected { id, kind: "jwt", token } or { id, kind: "cookie", name, value }' };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (message: unknown) => port.postMessage(handleWeakSecretRequest(message)));
}
