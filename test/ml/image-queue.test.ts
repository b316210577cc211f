import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError } from '../../src/errors.js';
import { ImageQueue, type ImageQueueOptions } from '../../src/ml/image-queue.js';

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

/** Settings that never get in the way of what a test is about. */
function queueOf(options: Partial<ImageQueueOptions>): ImageQueue {
  return new ImageQueue({ decodeConcurrency: 2, capacity: 100, maxBytes: 1_000_000, maxDecodeBytes: 1_000_000, decodeTimeoutMs: 60_000, ...options });
}

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof DomainError && error.code === code);
}

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
  const queue = queueOf({ capacity: 10 });
  const first = queue.admit(Array(8).fill(100));
  assertTooBusy(() => queue.admit([100, 100, 100]));
  assert.deepEqual(queue.stats(), { admitted: 8, admittedBytes: 800, decoding: 0, decodingBytes: 0, waiting: 0 }, 'nothing of the refused request is held');
  queue.admit([100, 100]).release();
  first.release();
  first.release();
  assert.equal(queue.stats().admitted, 0, 'a second release gives nothing back twice');
  queue.admit(Array(10).fill(100));
});

test('images beyond the byte budget are refused with TOO_BUSY', () => {
  const queue = queueOf({ maxBytes: 1000 });
  queue.admit([600]);
  assertTooBusy(() => queue.admit([300, 200]));
  queue.admit([400]);
});

test('an empty queue admits a request larger than its bounds, and nothing else until it is released', () => {
  const queue = queueOf({ decodeConcurrency: 1, capacity: 4, maxBytes: 1000 });
  const large = queue.admit([2000, 10, 10, 10, 10, 10]);
  assertTooBusy(() => queue.admit([1]));
  large.release();
  queue.admit([1]);
});

test('at most decodeConcurrency decodes run at once, and one request\'s decodes start in the order asked', async () => {
  const queue = queueOf({ decodeConcurrency: 2 });
  const work = new HeldWork();
  const admission = queue.admit([1, 1, 1, 1]);
  const results = ['a', 'b', 'c', 'd'].map((name) => admission.decode(10, work.job(name)));
  await settle();
  assert.deepEqual(work.started, ['a', 'b']);
  assert.deepEqual(queue.stats(), { admitted: 4, admittedBytes: 4, decoding: 2, decodingBytes: 20, waiting: 2 });
  await work.finish('b');
  assert.deepEqual(work.started, ['a', 'b', 'c']);
  await work.finish('a');
  assert.deepEqual(work.started, ['a', 'b', 'c', 'd']);
  await work.finish('c');
  await work.finish('d');
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
  assert.deepEqual(queue.stats(), { admitted: 4, admittedBytes: 4, decoding: 0, decodingBytes: 0, waiting: 0 });
});

test('a decode waits until its cost fits beside the running ones, while a cheaper one that fits goes ahead', async () => {
  const queue = queueOf({ decodeConcurrency: 3, maxDecodeBytes: 100 });
  const work = new HeldWork();
  const costly = queue.admit([1, 1]);
  const cheap = queue.admit([1]);
  const results = [costly.decode(60, work.job('a')), costly.decode(60, work.job('b')), cheap.decode(30, work.job('c'))];
  await settle();
  assert.deepEqual(work.started, ['a', 'c'], 'b would hold 120 bytes with a');
  assert.deepEqual(queue.stats().decodingBytes, 90);
  await work.finish('a');
  assert.deepEqual(work.started, ['a', 'c', 'b']);
  await work.finish('b');
  await work.finish('c');
  await Promise.all(results);
});

test('a lone decode runs whatever its cost, and nothing joins it while it holds more than the budget', async () => {
  const queue = queueOf({ decodeConcurrency: 2, maxDecodeBytes: 100 });
  const work = new HeldWork();
  const admission = queue.admit([1, 1]);
  const results = [admission.decode(500, work.job('huge')), admission.decode(1, work.job('tiny'))];
  await settle();
  assert.deepEqual(work.started, ['huge']);
  await work.finish('huge');
  await work.finish('tiny');
  assert.deepEqual(await Promise.all(results), ['huge', 'tiny']);
});

test('a request of one image behind a request of 30 aliases waits only for the decodes already running', async () => {
  const queue = queueOf({ decodeConcurrency: 2 });
  const work = new HeldWork();
  // Each alias of similarToImage is an admission of its own, under the request's one signal.
  const hostile = new AbortController().signal;
  const hostileResults = Array.from({ length: 30 }, (_, i) => queue.admit([1], hostile).decode(10, work.job(`h${i}`)));
  await settle();
  const photo = queue.admit([1], new AbortController().signal).decode(10, work.job('photo'));
  await work.finish('h0');
  assert.deepEqual(work.started, ['h0', 'h1', 'photo']);
  await work.finish('photo');
  assert.equal(await photo, 'photo');
  for (let i = 1; i < 30; i++) await work.finish(`h${i}`);
  assert.equal((await Promise.all(hostileResults)).length, 30);
});

test('requests with decodes waiting take turns', async () => {
  const queue = queueOf({ decodeConcurrency: 1 });
  const work = new HeldWork();
  const one = queue.admit([1, 1, 1]);
  const two = queue.admit([1, 1, 1]);
  const results = [...['a1', 'a2', 'a3'].map((name) => one.decode(1, work.job(name))), ...['b1', 'b2', 'b3'].map((name) => two.decode(1, work.job(name)))];
  await settle();
  for (const name of ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']) {
    assert.equal(work.started.at(-1), name);
    await work.finish(name);
  }
  await Promise.all(results);
});

test('once a request\'s signal fires its waiting decodes never start, and the one running keeps its decoder until it ends', async () => {
  const queue = queueOf({ decodeConcurrency: 1 });
  const work = new HeldWork();
  const gone = new AbortController();
  const admission = queue.admit([1, 1, 1], gone.signal);
  const running = admission.decode(50, work.job('a'));
  const waiting = [admission.decode(50, work.job('b')), admission.decode(50, work.job('c'))];
  const other = queue.admit([1]).decode(50, work.job('other'));
  await settle();
  gone.abort();
  await Promise.all(waiting.map((decode) => assertCode(decode, 'REQUEST_ABORTED')));
  await assertCode(admission.decode(50, work.job('later')), 'REQUEST_ABORTED');
  assert.deepEqual(queue.stats(), { admitted: 4, admittedBytes: 4, decoding: 1, decodingBytes: 50, waiting: 1 });
  await work.finish('a');
  assert.equal(await running, 'a');
  assert.deepEqual(work.started, ['a', 'other']);
  await work.finish('other');
  await other;
});

test('a decode past the time limit is IMAGE_DECODE_TIMEOUT, and its decoder and cost stay taken until the work ends', async () => {
  const queue = queueOf({ decodeConcurrency: 1, decodeTimeoutMs: 30 });
  const work = new HeldWork();
  const admission = queue.admit([1, 1]);
  const slow = admission.decode(70, work.job('slow'));
  const next = admission.decode(70, work.job('next'));
  await assertCode(slow, 'IMAGE_DECODE_TIMEOUT');
  assert.deepEqual(work.started, ['slow']);
  assert.equal(queue.stats().decodingBytes, 70);
  await work.finish('slow');
  assert.deepEqual(work.started, ['slow', 'next']);
  await work.finish('next');
  assert.equal(await next, 'next');
});

test('a failed decode frees its slot for the next one and rejects only itself', async () => {
  const queue = queueOf({ decodeConcurrency: 1 });
  const work = new HeldWork();
  const admission = queue.admit([1, 1]);
  const failing = assert.rejects(admission.decode(1, work.job('bad')), /bad failed/);
  const next = admission.decode(1, work.job('good'));
  await settle();
  await work.fail('bad');
  await failing;
  assert.deepEqual(work.started, ['bad', 'good']);
  await work.finish('good');
  assert.equal(await next, 'good');
  assert.equal(queue.stats().decoding, 0);
});

test('work that throws before returning a promise frees its slot too', async () => {
  const queue = queueOf({ decodeConcurrency: 1 });
  const admission = queue.admit([1, 1]);
  await assert.rejects(
    admission.decode(1, () => {
      throw new Error('synchronous');
    }),
    /synchronous/,
  );
  assert.equal(await admission.decode(1, async () => 'after'), 'after');
});
