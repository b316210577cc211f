import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError } from '../../src/errors.js';
import { Batcher, type BatchRunner } from '../../src/ml/batcher.js';

/** Doubles numbers, records the batches it saw, and fails batches that contain a negative number. */
class Doubler implements BatchRunner<number, number> {
  readonly batches: number[][] = [];
  running = 0;
  maxRunning = 0;

  async run(items: number[]): Promise<number[]> {
    this.batches.push(items);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((resolve) => setImmediate(resolve));
    this.running -= 1;
    if (items.some((item) => item < 0)) throw new Error(`negative in ${items.join(',')}`);
    return items.map((item) => item * 2);
  }
}

const LONG = 60_000;

test('items submitted together leave as one batch as soon as it is full', async () => {
  const runner = new Doubler();
  const batcher = new Batcher([runner], { maxBatchSize: 4, batchWindowMs: LONG });
  const results = await Promise.all([1, 2, 3, 4].map((item) => batcher.submit(item)));
  assert.deepEqual(results, [2, 4, 6, 8]);
  assert.deepEqual(runner.batches, [[1, 2, 3, 4]]);
  assert.deepEqual(batcher.stats(), { batches: 1, items: 4, queued: 0, busy: 0 });
});

test('a lone item waits for the window, then goes alone', async () => {
  const runner = new Doubler();
  const batcher = new Batcher([runner], { maxBatchSize: 4, batchWindowMs: 20 });
  const started = performance.now();
  assert.equal(await batcher.submit(5), 10);
  assert.ok(performance.now() - started >= 19);
  assert.deepEqual(runner.batches, [[5]]);
});

test('full batches spread over idle runners; a busy runner gets no second batch', async () => {
  const runners = [new Doubler(), new Doubler()];
  const batcher = new Batcher(runners, { maxBatchSize: 2, batchWindowMs: LONG });
  const results = await Promise.all([1, 2, 3, 4, 5, 6].map((item) => batcher.submit(item)));
  assert.deepEqual(results, [2, 4, 6, 8, 10, 12]);
  assert.equal(batcher.stats().batches, 3);
  assert.ok(runners.every((runner) => runner.batches.length > 0 && runner.maxRunning === 1));
});

test('what is waiting is spread over the idle runners rather than queued behind one', async () => {
  const runners = [new Doubler(), new Doubler()];
  const batcher = new Batcher(runners, { maxBatchSize: 8, batchWindowMs: 10 });
  await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.submit(item)));
  assert.deepEqual(runners.map((runner) => runner.batches.flat().length).sort(), [2, 3]);
  assert.equal(batcher.stats().batches, 2);
});

/** Doubles numbers, but holds each batch until the test lets it finish. */
class HeldDoubler implements BatchRunner<number, number> {
  readonly batches: number[][] = [];
  private readonly holds: (() => void)[] = [];

  async run(items: number[]): Promise<number[]> {
    this.batches.push(items);
    await new Promise<void>((resolve) => this.holds.push(resolve));
    return items.map((item) => item * 2);
  }

  /** Lets the oldest held batch finish, and waits for the batcher to act on it. */
  async finishOne(): Promise<void> {
    this.holds.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('a runner that finishes first takes its share of what waits, and leaves the rest to the busy one', async () => {
  const [first, second] = [new HeldDoubler(), new HeldDoubler()];
  const batcher = new Batcher([first, second], { maxBatchSize: 4, batchWindowMs: LONG });
  const results = Promise.all([1, 2, 3, 4].map((item) => batcher.submit(item)));
  await new Promise((resolve) => setImmediate(resolve));
  const later = Promise.all([5, 6, 7, 8].map((item) => batcher.submit(item)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(batcher.stats().queued, 4);

  await first.finishOne();
  assert.equal(batcher.stats().queued, 2);
  await second.finishOne();
  assert.equal(batcher.stats().queued, 0);
  await first.finishOne();
  await second.finishOne();

  assert.deepEqual(await results, [2, 4, 6, 8]);
  assert.deepEqual(await later, [10, 12, 14, 16]);
  assert.deepEqual([first.batches, second.batches], [[[3, 4], [5, 6]], [[1, 2], [7, 8]]]);
});

test('a failed batch rejects its own items only', async () => {
  const batcher = new Batcher([new Doubler()], { maxBatchSize: 2, batchWindowMs: LONG });
  const outcomes = await Promise.allSettled([1, -1, 3, 4].map((item) => batcher.submit(item)));
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ['rejected', 'rejected', 'fulfilled', 'fulfilled'],
  );
  assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /negative in 1,-1/);
});

test('drain sends waiting items without waiting for the window, then refuses new ones', async () => {
  const runner = new Doubler();
  const batcher = new Batcher([runner], { maxBatchSize: 4, batchWindowMs: LONG });
  const pending = batcher.submit(7);
  await batcher.drain();
  assert.equal(await pending, 14);
  await assert.rejects(batcher.submit(8), /closed/);
});

test('a call that would pass the capacity is refused whole with TOO_BUSY; the queue keeps what it had', async () => {
  const runner = new HeldDoubler();
  const batcher = new Batcher([runner], { maxBatchSize: 1, batchWindowMs: LONG, capacity: 3 });
  const running = batcher.submitAll([1]);
  await new Promise((resolve) => setImmediate(resolve));
  const waiting = batcher.submitAll([2, 3, 4]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batcher.stats(), { batches: 1, items: 1, queued: 3, busy: 1 });

  await assert.rejects(batcher.submitAll([5]), (error: unknown) => {
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'TOO_BUSY');
    assert.ok((error.details.retryAfterSeconds as number) >= 1);
    return true;
  });
  assert.equal(batcher.stats().queued, 3);

  await runner.finishOne();
  assert.deepEqual(await running, [2]);
  const later = batcher.submitAll([5]);
  for (let i = 0; i < 4; i += 1) await runner.finishOne();
  assert.deepEqual(await waiting, [4, 6, 8]);
  assert.deepEqual(await later, [10]);
  assert.deepEqual(runner.batches, [[1], [2], [3], [4], [5]]);
});

test('an empty queue takes a call larger than the capacity', async () => {
  const batcher = new Batcher([new Doubler()], { maxBatchSize: 2, batchWindowMs: 0, capacity: 1 });
  assert.deepEqual(await batcher.submitAll([1, 2, 3]), [2, 4, 6]);
});
