import { tooBusy } from './too-busy.js';

/** Something that processes one batch at a time: a worker thread or an in-process model. */
export interface BatchRunner<In, Out> {
  run(items: In[]): Promise<Out[]>;
}

export interface BatcherOptions {
  maxBatchSize: number;
  /** How long the oldest waiting item may wait for others before it goes alone. */
  batchWindowMs: number;
  /** Items that may wait for a runner; `submitAll` refuses calls past it with TOO_BUSY. Unbounded when absent. */
  capacity?: number;
}

export interface BatcherStats {
  batches: number;
  items: number;
  /** Items waiting for a batch or a free runner. */
  queued: number;
  /** Runners working on a batch now. */
  busy: number;
}

interface Pending<In, Out> {
  item: In;
  since: number;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

/**
 * Dynamic batching: items submitted close together go to runners in batches.
 * Waiting items are released once there are `maxBatchSize` of them or the
 * oldest has waited `batchWindowMs`; released items go out in equal shares
 * per runner, to idle runners now and to busy ones as they finish. A failed
 * batch rejects its own items and no others.
 */
export class Batcher<In, Out> {
  private readonly queue: Pending<In, Out>[] = [];
  private readonly idle: BatchRunner<In, Out>[];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumpQueued = false;
  /** How many items at the head of the queue are released: they leave as soon as a runner is idle. */
  private released = 0;
  /** The batch size of each released item's share, fixed at release. */
  private share = 0;
  private draining = false;
  private batches = 0;
  private items = 0;
  /** Runner time per item, on average of the recent batches: how fast the queue drains. */
  private msPerItem = 0;

  constructor(
    private readonly runners: readonly BatchRunner<In, Out>[],
    private readonly options: BatcherOptions,
  ) {
    if (runners.length === 0) throw new Error('a batcher needs at least one runner');
    this.idle = [...runners];
  }

  submit(item: In): Promise<Out> {
    if (this.draining) return Promise.reject(new Error('the batcher is closed'));
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, since: performance.now(), resolve, reject });
      // Decide once the current task has submitted everything it will, so a
      // burst (one call with many images) is seen whole, not item by item.
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        queueMicrotask(() => {
          this.pumpQueued = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Submits items all together or none: when they do not fit in the
   * capacity, the whole call is refused with TOO_BUSY. An empty queue takes
   * any call.
   */
  submitAll(items: readonly In[]): Promise<Out[]> {
    const { capacity = Infinity } = this.options;
    if (this.queue.length > 0 && this.queue.length + items.length > capacity) {
      const drainSeconds = (this.queue.length * this.msPerItem) / this.runners.length / 1000;
      return Promise.reject(tooBusy('ResNet50', drainSeconds));
    }
    return Promise.all(items.map((item) => this.submit(item)));
  }

  stats(): BatcherStats {
    return {
      batches: this.batches,
      items: this.items,
      queued: this.queue.length,
      busy: this.runners.length - this.idle.length,
    };
  }

  /** Refuses new items, sends the waiting ones without waiting for the window, and settles them all. */
  async drain(): Promise<void> {
    this.draining = true;
    this.pump();
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // With no idle runner, the next one to finish pumps again.
    if (this.queue.length === 0 || this.idle.length === 0) return;
    const { maxBatchSize, batchWindowMs } = this.options;
    if (this.released === 0) {
      const wait = this.queue[0]!.since + batchWindowMs - performance.now();
      if (this.queue.length < maxBatchSize && wait > 0 && !this.draining) {
        this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
        return;
      }
      this.released = this.queue.length;
      // A share per runner, busy ones included: an idle runner that took all
      // that is waiting would leave the others idle when they finish, and on
      // the single-threaded backends an image costs the same in a batch of
      // one as in a batch of many, so smaller shares only cut latency.
      this.share = Math.min(maxBatchSize, Math.ceil(this.released / this.runners.length));
    }
    while (this.released > 0 && this.idle.length > 0) {
      const size = Math.min(this.share, this.released);
      this.released -= size;
      this.dispatch(this.idle.pop()!, this.queue.splice(0, size));
    }
  }

  private dispatch(runner: BatchRunner<In, Out>, batch: Pending<In, Out>[]): void {
    this.batches += 1;
    this.items += batch.length;
    const done = this.settle(runner, batch).finally(() => {
      this.inFlight.delete(done);
      this.idle.push(runner);
      this.pump();
    });
    this.inFlight.add(done);
  }

  private async settle(runner: BatchRunner<In, Out>, batch: Pending<In, Out>[]): Promise<void> {
    const started = performance.now();
    try {
      const outputs = await runner.run(batch.map((pending) => pending.item));
      this.msPerItem = 0.8 * this.msPerItem + 0.2 * ((performance.now() - started) / batch.length);
      if (outputs.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} came back with ${outputs.length} results`);
      }
      batch.forEach((pending, i) => pending.resolve(outputs[i]!));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
