import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError } from '../../src/errors.js';
import { ImageQueue } from '../../src/ml/image-queue.js';

/** Work that runs until the test lets it finish (or fail). */
class HeldWork {
  readonly started: string[] = [];
  private readonly holds = new Map<string, { resolve(): void; reject(error: Error): void }>();

  job(name: string): () => Promise<string> {
    return () => {
      this.started.push(name);
      return new Promise<string>((resolve, reject) => {
        this.holds.set(name, { resolve: () => resolve(name), reject });
      });
    };
  }

  async finish(name: string): Promise<void> {
    this.holds.get(name)!.resolve();
    await settle();
  }

  async fail(name: string): Promise<void> {
    this.holds.get(name)!.reject(new Error(`${name} failed`));
    await settle();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function assertTooBusy(admit: () => unknown): void {
  assert.throws(admit, (error: unknown) => {
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'TOO_BUSY');
    const { retryAfterSeconds } = error.details;
    assert.ok(Number.isInteger(retryAfterSeconds) && (retryAfterSeconds as number) >= 1, `retryAfterSeconds ${String(retryAfterSeconds)}`);
    return true;
  });
}

test('images beyond the capacity are refused whole with TOO_BUSY and retryAfterSeconds, and admitted once room is released', () => {
  const queue = new ImageQueue({ decodeConcurrency: 2, capacity: 10, maxBytes: 1_000_000 });
  const first = queue.admit(Array(8).fill(100));
  assertTooBusy(() => queue.admit([100, 100, 100]));
  assert.deepEqual(queue.stats(), { admitted: 8, admittedBytes: 800, decoding: 0, waiting: 0 }, 'nothing of the refused request is held');
  queue.admit([100, 100]).release();
  first.release();
  first.release();
  assert.equal(queue.stats().admitted, 0, 'a second release gives nothing back twice');
  queue.admit(Array(10).fill(100));
});

test('images beyond the byte budget are refused with TOO_BUSY', () => {
  const queue = new ImageQueue({ decodeConcurrency: 2, capacity: 100, maxBytes: 1000 });
  queue.admit([600]);
  assertTooBusy(() => queue.admit([300, 200]));
  queue.admit([400]);
});

test('an empty queue admits a request larger than its bounds, and nothing else until it is released', () => {
  const queue = new ImageQueue({ decodeConcurrency: 1, capacity: 4, maxBytes: 1000 });
  const large = queue.admit([2000, 10, 10, 10, 10, 10]);
  assertTooBusy(() => queue.admit([1]));
  large.release();
  queue.admit([1]);
});

test('at most decodeConcurrency decodes run at once, and waiting decodes start in the order asked', async () => {
  const queue = new ImageQueue({ decodeConcurrency: 2, capacity: 10, maxBytes: 1_000_000 });
  const work = new HeldWork();
  const one = queue.admit([1, 1, 1]);
  const two = queue.admit([1, 1]);
  const results = [one.decode(work.job('a')), two.decode(work.job('b')), one.decode(work.job('c')), two.decode(work.job('d')), one.decode(work.job('e'))];
  await settle();
  assert.deepEqual(work.started, ['a', 'b']);
  assert.deepEqual(queue.stats(), { admitted: 5, admittedBytes: 5, decoding: 2, waiting: 3 });
  await work.finish('b');
  assert.deepEqual(work.started, ['a', 'b', 'c']);
  await work.finish('a');
  await work.finish('c');
  assert.deepEqual(work.started, ['a', 'b', 'c', 'd', 'e']);
  await work.finish('d');
  await work.finish('e');
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(queue.stats(), { admitted: 5, admittedBytes: 5, decoding: 0, waiting: 0 });
});

test('a failed decode frees its slot for the next one and rejects only itself', async () => {
  const queue = new ImageQueue({ decodeConcurrency: 1, capacity: 10, maxBytes: 1_000_000 });
  const work = new HeldWork();
  const admission = queue.admit([1, 1]);
  const failing = assert.rejects(admission.decode(work.job('bad')), /bad failed/);
  const next = admission.decode(work.job('good'));
  await settle();
  await work.fail('bad');
  await failing;
  assert.deepEqual(work.started, ['bad', 'good']);
  await work.finish('good');
  assert.equal(await next, 'good');
  assert.equal(queue.stats().decoding, 0);
});

test('work that throws before returning a promise frees its slot too', async () => {
  const queue = new ImageQueue({ decodeConcurrency: 1, capacity: 10, maxBytes: 1_000_000 });
  const admission = queue.admit([1, 1]);
  await assert.rejects(
    admission.decode(() => {
      throw new Error('synchronous');
    }),
    /synchronous/,
  );
  assert.equal(await admission.decode(async () => 'after'), 'after');
});
