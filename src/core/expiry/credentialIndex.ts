import type { ExpiryModel } from './expiryModel';
import type { CredentialExpiry } from './expiryState';

/** The credentials of a model by id. */
export type CredentialIndex = ReadonlyMap<string, CredentialExpiry>;

/**
 * Indexes kept by the model that made them (the incremental model) or built once per model object.
 * One registry per process, not per module copy: the extension loads the expiry model from the
 * capture engine's bundle while the panel's rows are in the main bundle, each with its own copy of
 * this module.
 */
const REGISTRY = Symbol.for('sessionLens.expiry.credentialIndexes');
const indexes: WeakMap<ExpiryModel, CredentialIndex> = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new WeakMap()) as WeakMap<ExpiryModel, CredentialIndex>;

/**
 * The credentials of `model` by id (`cookie:…`, `token:…`). A model from `IncrementalExpiryModel`
 * comes with the index it keeps as it builds credentials (no pass over them); any other model is
 * indexed once, on first use, and the index reused for as long as the model object lives.
 */
export function credentialIndex(model: ExpiryModel | undefined): CredentialIndex {
  if (!model) return new Map();
  let index = indexes.get(model);
  if (!index) indexes.set(model, (index = new Map(model.credentials.map((c) => [c.id, c]))));
  return index;
}

/** Registers the index its maker keeps for `model` (it must equal indexing `model.credentials` for as long as it is registered). */
export function registerCredentialIndex(model: ExpiryModel, index: CredentialIndex): void {
  indexes.set(model, index);
}

/** Withdraws a kept index (its maker is about to change it for a newer model): the older model is indexed on its own if asked. */
export function unregisterCredentialIndex(model: ExpiryModel): void {
  indexes.delete(model);
}

const CHANGES = Symbol.for('sessionLens.expiry.credentialChanges');
const changeReaders: WeakMap<ExpiryModel, (since: ExpiryModel) => ReadonlySet<string> | undefined> = ((globalThis as Record<symbol, unknown>)[CHANGES] ??= new WeakMap()) as WeakMap<ExpiryModel, (since: ExpiryModel) => ReadonlySet<string> | undefined>;

/**
 * Ids of the credentials whose entry differs between `since` and `model` (set again, added or
 * removed), when the maker of both can tell (the incremental model keeps a short log); undefined
 * otherwise: then any entry may differ.
 */
export function credentialChangesSince(model: ExpiryModel | undefined, since: ExpiryModel | undefined): ReadonlySet<string> | undefined {
  if (model === since) return new Set();
  if (!model || !since) return undefined;
  return changeReaders.get(model)?.(since);
}

/** Registers how to tell which credentials changed between an earlier model of the same maker and `model`. */
export function registerCredentialChanges(model: ExpiryModel, changesSince: (since: ExpiryModel) => ReadonlySet<string> | undefined): void {
  changeReaders.set(model, changesSince);
}
