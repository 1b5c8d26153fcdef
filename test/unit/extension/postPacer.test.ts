import * as assert from 'node:assert/strict';
import { PostPacer, type PostPacing } from '../../../src/extension/postPacer';
import { mulberry32 as seeded } from '../../support/seeded';

const PACING: PostPacing = { frameMs: 16, minIntervalMs: 50, burstMessages: 3, costFactor: 4, budgetMs: 20 };

/** A pacer on a clock the test moves; `post(cost)` builds a message for `cost` ms (the clock moves) and tells the pacer. */
function pacerAt(start = 1000, pacing = PACING): { pacer: PostPacer; clock: { now: number }; post(cost: number): void } {
  const clock = { now: start };
  const pacer = new PostPacer(pacing, () => clock.now);
  return { pacer, clock, post: (cost) => { clock.now += Math.max(0, cost); pacer.posted(cost); } };
}

describe('PostPacer: when the Session panel may post its next message', () => {
  it('lets a panel that was idle post at once, and a request\'s end right after its start once a frame has passed', () => {
    const { pacer, clock, post } = pacerAt();
    assert.equal(pacer.delay(), 0);
    // The start of a request: a cheap message.
    post(5);
    clock.now += 4;
    // Its end 4 ms later waits only for the rest of the frame, not 4x the start's cost or 50 ms.
    assert.equal(pacer.delay(), 12);
    clock.now += 12;
    assert.equal(pacer.delay(), 0);
  });

  it('posts cheap messages at most one per minIntervalMs over time, with burstMessages ahead after a pause', () => {
    const { pacer, clock, post } = pacerAt();
    const posted: number[] = [];
    // Changes every 2 ms for 2 s, each message costing 1 ms (an import's slices in a small session).
    while (clock.now < 3000) {
      if (pacer.delay() === 0) {
        post(1);
        posted.push(clock.now);
      }
      clock.now += 2;
    }
    // The first three go a frame apart, then one per 50 ms.
    assert.ok(posted[1]! - posted[0]! >= 16 && posted[1]! - posted[0]! < 20, `${posted[1]! - posted[0]!}`);
    for (let i = 0; i < posted.length; i++) {
      for (let j = i + 1; j < posted.length; j++) assert.ok(j - i <= PACING.burstMessages + (posted[j]! - posted[i]!) / PACING.minIntervalMs, `${j - i + 1} messages in ${posted[j]! - posted[i]!} ms`);
    }
    assert.ok(posted.length >= 2000 / 50, `${posted.length} messages in 2 s`);
  });

  it('once the budget is spent, follows a message of cost c with costFactor x c without one', () => {
    const { pacer, clock, post } = pacerAt();
    post(60);
    // Debt 60, budget 20: (60 - 20) x 4 = 160 ms.
    assert.equal(pacer.delay(), 160);
    clock.now += 100;
    assert.equal(pacer.delay(), 60);
    clock.now += 60;
    assert.equal(pacer.delay(), 0);
    // Posted at the edge of the budget: the next waits 4x its own cost.
    post(30);
    assert.equal(pacer.delay(), 120);
  });

  it('pays the debt back while nothing is posted: after a pause an expensive session posts at once again', () => {
    const { pacer, clock, post } = pacerAt();
    post(200);
    assert.equal(pacer.delay(), (200 - 20) * 4);
    clock.now += 200 * 4;
    assert.equal(pacer.delay(), 0);
    post(10);
    clock.now += 16;
    assert.equal(pacer.delay(), 0, 'the debt was paid back in full, not carried over');
  });

  it('ignores a negative cost (a clock that stepped back) instead of lending time', () => {
    const { pacer, clock, post } = pacerAt();
    post(-500);
    clock.now += 16;
    post(30);
    assert.equal(pacer.delay(), (30 - 20) * 4);
  });

  it('keeps the panel\'s work within budget + one message + elapsed / costFactor in every window, and busy for its share under constant demand', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seeded(seed);
      const { pacer, clock, post } = pacerAt(0);
      const posts: { at: number; cost: number }[] = [];
      let maxCost = 0;
      // Changes keep coming: the panel posts whenever it may, each message costing 0.5-80 ms.
      while (clock.now < 20_000) {
        const wait = pacer.delay();
        clock.now += wait > 0 ? wait : random() * 5;
        if (pacer.delay() > 0) continue;
        const cost = 0.5 + random() * (random() < 0.2 ? 80 : 8);
        maxCost = Math.max(maxCost, cost);
        post(cost);
        posts.push({ at: clock.now, cost });
      }
      // Every window that starts at a message: the work of the messages that ended in it.
      for (let i = 0; i < posts.length; i++) {
        let work = 0;
        for (let j = i; j < posts.length; j++) {
          work += posts[j]!.cost;
          const window = posts[j]!.at - posts[i]!.at + posts[i]!.cost;
          assert.ok(work <= PACING.budgetMs + maxCost + window / PACING.costFactor + 1e-6, `seed ${seed}: ${work.toFixed(1)} ms of work in ${window.toFixed(1)} ms`);
        }
      }
      const total = posts.reduce((sum, p) => sum + p.cost, 0);
      const share = total / clock.now;
      assert.ok(share <= 1 / (1 + PACING.costFactor) + 0.01, `seed ${seed}: share ${share.toFixed(3)}`);
      assert.ok(share >= 0.15, `seed ${seed}: the panel got its share (${share.toFixed(3)}), not starved`);
    }
  });
});
