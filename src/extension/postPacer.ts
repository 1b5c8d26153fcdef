/** How the Session panel paces its messages (see {@link PostPacer}). */
export interface PostPacing {
  /** Least time between two messages (ms), one frame: the webview draws no faster. */
  readonly frameMs: number;
  /** Over time at most one message per this many ms: changes that come faster go together in the next one. */
  readonly minIntervalMs: number;
  /** Messages an idle panel may post ahead of that rate (a frame apart): a request's start and its end. */
  readonly burstMessages: number;
  /** Over time the panel's work is at most 1 / (1 + costFactor) of the extension host's. */
  readonly costFactor: number;
  /** Work (ms) the panel may do ahead of that share: an idle panel posts a change or two at once. */
  readonly budgetMs: number;
}

/**
 * How the Session panel paces its messages to the webview: one per 50 ms over time (changes that
 * come faster, an import's slices or a burst of requests, go together in the next message), and
 * never more than about a fifth of the extension host (4x a message's build time without one once
 * the budget is spent), whatever the session's size or the machine's load; but a panel that was
 * idle posts up to 3 messages at once, a frame apart, so a request's end is not held behind the
 * message its start just sent.
 */
export const PANEL_POST_PACING: PostPacing = { frameMs: 16, minIntervalMs: 50, burstMessages: 3, costFactor: 4, budgetMs: 20 };

/**
 * The Session panel's pacing, two token buckets: messages, at most one per `minIntervalMs` over
 * time with `burstMessages` allowed ahead (never closer than a frame), and work, its share of the
 * extension host: each message's build time is added to the panel's debt, the debt is paid back at
 * 1 ms per `costFactor` ms that pass, and a message may go while the debt is at most `budgetMs`.
 *
 * So a panel that was idle posts at once, a request's start and its end a few ms later included
 * (a fixed wait of `costFactor` times the last message's cost after every message delayed the end,
 * the change a user waits for, behind the start), while a burst or an import, whose messages cost
 * more, is paced as before once the budgets are spent: each message of cost `c` is followed by
 * max(`minIntervalMs`, `costFactor * c`) without one, about a fifth of the host at a factor of 4.
 *
 * Pure: the clock is passed in (unit-tested with a fake one).
 */
export class PostPacer {
  private debtMs = 0;
  /** When the debt was last brought up to date, and when the last message was posted; -Infinity: never. */
  private debtAt = -Infinity;
  private lastPostAt = -Infinity;
  /** Messages that may go ahead of the rate (a second bucket, of messages), as of `lastPostAt`. */
  private messageCredit: number;

  constructor(private readonly pacing: PostPacing, private readonly now: () => number) {
    this.messageCredit = pacing.burstMessages;
  }

  /** How long (ms, whole: as a timer waits) the next message must wait; 0: it may go now. */
  delay(): number {
    const now = this.now();
    const frame = this.lastPostAt + this.pacing.frameMs - now;
    const noCredit = (1 - this.creditNow(now)) * this.pacing.minIntervalMs;
    const overBudget = (this.debtNow(now) - this.pacing.budgetMs) * this.pacing.costFactor;
    return Math.ceil(Math.max(0, frame, noCredit, overBudget));
  }

  /** A message was posted now; building and posting it took `costMs` (until now). */
  posted(costMs: number): void {
    const now = this.now();
    const cost = Math.max(0, costMs);
    // Its own time pays nothing back: the debt as it was when it began, plus its cost.
    this.debtMs = this.debtNow(now - cost) + cost;
    this.debtAt = now;
    this.messageCredit = Math.max(0, this.creditNow(now) - 1);
    this.lastPostAt = now;
  }

  private creditNow(now: number): number {
    return Math.min(this.pacing.burstMessages, this.messageCredit + Math.max(0, now - this.lastPostAt) / this.pacing.minIntervalMs);
  }

  private debtNow(now: number): number {
    return this.debtAt === -Infinity ? 0 : Math.max(0, this.debtMs - Math.max(0, now - this.debtAt) / this.pacing.costFactor);
  }
}
