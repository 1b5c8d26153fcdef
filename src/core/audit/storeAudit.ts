import type { SessionStore } from '../session/sessionStore';
import type { Disposable, Exchange, SessionChangeEvent, TokenRecord } from '../session/types';
import type { SessionChange } from '../session/changeFeed';
import type { Finding } from '../findings';
import type { AuditSettingsInput } from './auditSettings';
import type { AuditDelta } from './findingSlots';
import { IncrementalAudit, type IncrementalAuditOptions } from './incrementalAudit';

/** Options of a {@link StoreAudit}. */
export interface StoreAuditOptions extends IncrementalAuditOptions {
  /**
   * How long (ms, default 2000) a finished exchange waits for exchanges that started before it
   * and are still pending, so that the audit gets them in start order. Past that, it is audited
   * anyway and the late one makes the audit replay what it holds.
   */
  readonly holdMs?: number;
  /** Clock for `holdMs`, epoch ms (tests pass their own). */
  readonly clock?: () => number;
  /**
   * Publish each change of the findings onto the store's change feed (`finding-added`,
   * `finding-removed`), so that readers of the feed get an exchange and its findings in the same
   * batch. Default false: each publication is a change of the store (its version moves), which
   * readers that compare versions must expect.
   */
  readonly publish?: boolean;
}

function startOrder(a: Exchange, b: Exchange): number {
  return a.startedAt - b.startedAt || a.id - b.id;
}

const NO_CHANGE: AuditDelta = { added: [], removed: [] };

/** What made the findings change: a store event, the end of a wait for a pending exchange, or a re-analysis of the JWTs. */
export type AuditChangeOrigin = 'store' | 'timer' | 'reanalysis';

/**
 * The traffic audit of a live {@link SessionStore}: an {@link IncrementalAudit} fed from the store's
 * change feed. Each exchange is audited once, when it finishes (in start order); tokens seen
 * again and jar changes update the JWT findings; evicted exchanges keep their findings; a cleared
 * store clears the audit. The work per event is proportional to what the event carries. Finding
 * changes can go back onto the feed (see {@link StoreAuditOptions.publish}): create the audit right
 * after the store, before other listeners subscribe, and they see them in the same batch.
 */
export class StoreAudit implements Disposable {
  private readonly audit: IncrementalAudit;
  private readonly subscription: Disposable;
  private readonly listeners = new Set<(delta: AuditDelta, origin: AuditChangeOrigin) => void>();
  /** Exchanges still waiting for their response, by id: start time. */
  private readonly pending = new Map<number, number>();
  /** Finished exchanges held back behind an earlier pending one. */
  private held: Exchange[] = [];
  private readonly fed = new Set<number>();
  private tokens = new Map<number, TokenRecord>();
  /** Ids the ring buffer dropped while their exchange was held back: evicted from the audit once fed. */
  private readonly gone = new Set<number>();
  /** Findings a 'cleared' of the feed removed: not published again as removals. */
  private clearedOnFeed: Set<Finding> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly holdMs: number;
  private readonly clock: () => number;

  constructor(private readonly store: SessionStore, settings?: AuditSettingsInput, options: StoreAuditOptions = {}) {
    this.audit = new IncrementalAudit(settings, options);
    this.holdMs = typeof options.holdMs === 'number' && options.holdMs >= 0 ? options.holdMs : 2000;
    this.clock = options.clock ?? Date.now;
    this.publish = options.publish === true;
    this.subscription = store.onDidChange((e) => {
      this.clearedOnFeed = undefined;
      this.emit(this.onStoreChange(e), 'store');
    });
    this.catchUp();
  }

  private readonly publish: boolean;

  /** Reports what each change added and removed (apply `removed` first), and what caused it. */
  onDidChange(listener: (delta: AuditDelta, origin: AuditChangeOrigin) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** What the audit forgot to stay bounded in a long capture (see {@link IncrementalAudit.forgotten}). */
  get forgotten(): IncrementalAudit['forgotten'] {
    return this.audit.forgotten;
  }

  /** The current findings, sorted like {@link auditSession}'s. */
  findings(): readonly Finding[] {
    return this.audit.findings();
  }

  /** Audits again from what the store holds now (new settings). Findings of evicted exchanges are gone. */
  reset(settings?: AuditSettingsInput): AuditDelta {
    const removed = this.audit.reset(settings);
    this.pending.clear();
    this.held = [];
    this.fed.clear();
    this.gone.clear();
    const added = this.catchUp();
    const delta = this.merge([removed, added]);
    // The caller applies the returned delta; readers of the feed get it there.
    if (this.publish) this.store.publishFindings(delta);
    return delta;
  }

  /**
   * Analyses the JWTs again: the analyser learned something (a weak-secret answer: `'all'`, the
   * default), or the time moved on (`'time'`: only the JWTs whose analysis depends on the time).
   */
  reanalyseJwts(now?: number, what: 'time' | 'all' = 'all'): AuditDelta {
    return this.emit(this.audit.reanalyseJwts(now, what), 'reanalysis');
  }

  private catchUp(): AuditDelta {
    const snap = this.store.snapshot();
    this.tokens = new Map(snap.tokens.map((t) => [t.id, t]));
    const deltas = [this.audit.updateJar(snap.cookies), this.audit.updateTokens(snap.tokens, this.tokens)];
    const finished = snap.exchanges.filter((ex) => ex.state !== 'pending').sort(startOrder);
    for (const ex of snap.exchanges) if (ex.state === 'pending') this.pending.set(ex.id, ex.startedAt);
    deltas.push(...this.feed(finished));
    return this.merge(deltas);
  }

  private onStoreChange(e: SessionChangeEvent): AuditDelta {
    const deltas: AuditDelta[] = [];
    const finished: Exchange[] = [];
    const evicted: number[] = [];
    /** Tokens seen in this batch, by id (the latest record wins). */
    const seen = new Set<number>();
    let jarChanged = false;
    const take = (c: SessionChange): void => {
      switch (c.kind) {
        case 'cleared': {
          deltas.length = 0;
          const reset = this.audit.reset();
          deltas.push(reset);
          // 'cleared' on the feed already says every finding is gone.
          this.clearedOnFeed = new Set(reset.removed);
          this.pending.clear();
          this.held = [];
          this.fed.clear();
          this.gone.clear();
          this.tokens = new Map();
          finished.length = 0;
          evicted.length = 0;
          seen.clear();
          jarChanged = false;
          break;
        }
        case 'exchange-added':
        case 'exchange-updated':
          if (c.exchange.state === 'pending' && !this.fed.has(c.exchange.id)) this.pending.set(c.exchange.id, c.exchange.startedAt);
          break;
        case 'exchange-finished':
          this.pending.delete(c.exchange.id);
          if (!this.fed.has(c.exchange.id)) finished.push(c.exchange);
          break;
        case 'exchange-evicted':
          this.pending.delete(c.exchangeId);
          evicted.push(c.exchangeId);
          break;
        case 'token-seen':
          this.tokens.set(c.token.id, c.token);
          seen.add(c.token.id);
          break;
        case 'token-dropped':
          this.tokens.delete(c.tokenId);
          seen.delete(c.tokenId);
          break;
        case 'cookie':
          jarChanged = true;
          break;
        case 'cookie-refreshed':
        case 'finding-added':
        case 'finding-removed':
          break;
      }
    };
    for (const c of e.changes) take(c);
    if (jarChanged) deltas.push(this.audit.updateJar(this.store.getCookies()));
    // Tokens first: each JWT location is then analysed once for this event, for the token that leads after it.
    if (seen.size > 0) {
      const changed: TokenRecord[] = [];
      for (const id of seen) {
        const t = this.tokens.get(id);
        if (t) changed.push(t);
      }
      deltas.push(this.audit.updateTokens(changed, this.tokens));
    }
    // An exchange finished and evicted within the batch is audited first (its findings stay), then forgotten.
    const finishing = new Set(finished.map((ex) => ex.id));
    for (const id of evicted) {
      if (finishing.has(id) || this.held.some((ex) => ex.id === id)) {
        this.gone.add(id);
      } else {
        this.audit.evict(id);
        this.fed.delete(id);
      }
    }
    deltas.push(...this.feed(this.held.length === 0 ? finished.sort(startOrder) : [...this.held, ...finished].sort(startOrder)));
    return this.merge(deltas);
  }

  /** Audits finished exchanges in start order, holding back those that started after a young pending one. */
  private feed(finished: readonly Exchange[]): AuditDelta[] {
    let waitFor = Infinity;
    const now = this.clock();
    for (const startedAt of this.pending.values()) {
      if (now - startedAt < this.holdMs) waitFor = Math.min(waitFor, startedAt);
    }
    const held: Exchange[] = [];
    const ready: Exchange[] = [];
    for (const ex of finished) {
      if (this.fed.has(ex.id)) continue;
      if (ex.startedAt > waitFor) {
        held.push(ex);
        continue;
      }
      this.fed.add(ex.id);
      ready.push(ex);
    }
    const deltas = ready.length > 0 ? [this.audit.addAll(ready, this.tokens)] : [];
    if (this.gone.size > 0) {
      for (const ex of ready) {
        if (!this.gone.delete(ex.id)) continue;
        this.audit.evict(ex.id);
        this.fed.delete(ex.id);
      }
    }
    this.held = held;
    if (held.length > 0 && this.timer === undefined && Number.isFinite(waitFor)) {
      // Nothing may come from the store for a while: look again when the wait is over.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.emit(this.merge(this.feed(this.held)), 'timer');
      }, Math.max(0, waitFor + this.holdMs - now) + 1);
      this.timer.unref?.();
    }
    return deltas;
  }

  private merge(deltas: readonly AuditDelta[]): AuditDelta {
    const nonEmpty = deltas.filter((d) => d.added.length > 0 || d.removed.length > 0);
    if (nonEmpty.length === 0) return NO_CHANGE;
    if (nonEmpty.length === 1) return nonEmpty[0];
    // A finding added then removed within one event was never seen by anyone.
    const added = new Set<Finding>();
    const removed: Finding[] = [];
    for (const d of nonEmpty) {
      for (const f of d.removed) {
        if (!added.delete(f)) removed.push(f);
      }
      for (const f of d.added) added.add(f);
    }
    return { added: [...added], removed };
  }

  private emit(delta: AuditDelta, origin: AuditChangeOrigin): AuditDelta {
    if (delta.added.length === 0 && delta.removed.length === 0) return delta;
    if (this.publish) {
      const cleared = this.clearedOnFeed;
      this.clearedOnFeed = undefined;
      this.store.publishFindings(cleared ? { added: delta.added, removed: delta.removed.filter((f) => !cleared.has(f)) } : delta);
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(delta, origin);
      } catch {
        // A listener's failure is its own; the audit goes on.
      }
    }
    return delta;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.subscription.dispose();
    this.listeners.clear();
  }
}
