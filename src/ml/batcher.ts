/** Something that processes one batch at a time: a worker thread or an in-process model. */
export interface BatchRunner<In, Out> {
  run(items: In[]): Promise<Out[]>;
}

export interface BatcherOptions {
  maxBatchSize: number;
  /** How long the oldest waiting item may wait for others before it goes alone. */
  batchWindowMs: number;
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
 * Dynamic batching: items submitted close together go to a runner as one
 * batch. A batch leaves when it is full, or when its oldest item has waited
 * `batchWindowMs`, and only to an idle runner; a failed batch rejects its own
 * items and no others.
 */
export class Batcher<In, Out> {
  private readonly queue: Pending<In, Out>[] = [];
  private readonly idle: BatchRunner<In, Out>[];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private batches = 0;
  private items = 0;

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
      this.pump();
    });
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
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  private pump(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const head = this.queue[0]!;
      const wait = head.since + this.options.batchWindowMs - performance.now();
      if (this.queue.length < this.options.maxBatchSize && wait > 0 && !this.draining) {
        this.schedule(wait);
        return;
      }
      this.dispatch(this.idle.pop()!, this.queue.splice(0, this.options.maxBatchSize));
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.ceil(delayMs));
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
    try {
      const outputs = await runner.run(batch.map((pending) => pending.item));
      if (outputs.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} came back with ${outputs.length} results`);
      }
      batch.forEach((pending, i) => pending.resolve(outputs[i]!));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
