import { availableParallelism } from 'node:os';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { siblingWorkerUrl, startWorker } from '../start-worker.js';
import type { RowLayout } from './block-scan.js';
import type { WasmMemory } from './l2-kernel.js';
import { BLOCK_FIELDS, batchChannel, Control } from './scan-batch.js';

const WORKER_URL = siblingWorkerUrl('scan-helper-worker', import.meta.url);
/** How long a scan waits for its last batch before it reads the blocks itself. */
const PATIENCE_MS = 200;

/** A finished batch: the sums at the batch's `out`, one per slot in `slots`. */
export interface BatchRows {
  rows: number;
  slots: Int32Array;
}

/** A batch the helper did not read in time, or failed: the scan reads these blocks itself. */
export interface UnreadBatch {
  /** start, end, projected limit and stop of each block, as posted. */
  blocks: Float64Array;
}

/**
 * A second thread that reads blocks for one scan at a time, beside the
 * event loop: the scan hands it a batch of the blocks next in its order,
 * reads others meanwhile, and adds the batch's rows to its own when it is
 * done (vector-table.ts). One helper serves the whole process, so a
 * process takes at most one core more than its event loop, and only while
 * a scan holds it: a scan claims it only when no other is queued on its
 * table and no other scan holds it, so under concurrent queries each runs
 * alone and the second core stays for the database and the other work.
 */
export class ScanHelper {
  readonly #channel = batchChannel();
  readonly #tables = new MessageChannel();
  readonly #worker: Worker;
  #claimed = false;
  #posted = 0;
  /** The last batch whose rows a scan took. */
  #collected = 0;
  /** Batches whose rows a scan took from the helper. */
  #batchesRead = 0;
  #exited = false;

  private constructor() {
    this.#worker = startWorker(WORKER_URL, { channel: this.#channel, tables: this.#tables.port2 }, [this.#tables.port2]);
    this.#worker.on('error', (error) => console.error('scan helper stopped; scans read alone', error));
    this.#worker.on('exit', () => (this.#exited = true));
    this.#worker.unref();
  }

  static #shared: ScanHelper | undefined;

  /** The process's helper, started on first use; undefined where there is one core. */
  static shared(): ScanHelper | undefined {
    if (availableParallelism() < 2) return undefined;
    return (ScanHelper.#shared ??= new ScanHelper());
  }

  /** Whether the helper thread runs (scans may share their work with it), and how many batches it has read for them. */
  static stats(): { running: boolean; batches: number } {
    const helper = ScanHelper.#shared;
    if (!helper) return { running: false, batches: 0 };
    return { running: !helper.#exited && Atomics.load(helper.#channel.control, Control.ready) === 1, batches: helper.#batchesRead };
  }

  /** Stops the helper thread; scans from then on read alone. */
  static async stop(): Promise<void> {
    const helper = ScanHelper.#shared;
    if (helper) await helper.#worker.terminate();
  }

  /** Whether the scan has a batch out whose rows it has not taken. */
  get pending(): boolean {
    return this.#collected !== this.#posted;
  }

  /** Whether the helper is still reading the last batch posted. */
  get busy(): boolean {
    return Atomics.load(this.#channel.control, Control.finished) !== this.#posted;
  }

  /** Holds the helper for one scan: false while it starts, while another scan holds it, or while it still reads a batch of an earlier one. */
  claim(): boolean {
    if (this.#claimed || this.busy || !Atomics.load(this.#channel.control, Control.ready)) return false;
    this.#claimed = true;
    return true;
  }

  release(): void {
    this.#claimed = false;
  }

  /** Hands over blocks (BLOCK_FIELDS numbers each) of table `table`, whose memory is `memory`; the rows go to `out` onwards. */
  post(table: number, memory: WasmMemory, layout: RowLayout, out: number, blocks: readonly number[]): void {
    const { control } = this.#channel;
    if (Atomics.load(control, Control.held) !== table) this.#tables.port1.postMessage({ table, memory });
    this.#channel.blocks.set(blocks);
    control[Control.blocks] = blocks.length / BLOCK_FIELDS;
    control[Control.table] = table;
    control[Control.rowsAt] = layout.rowsAt;
    control[Control.rowBytes] = layout.rowBytes;
    control[Control.columns] = layout.columns;
    control[Control.out] = out;
    Atomics.store(control, Control.posted, ++this.#posted);
    Atomics.notify(control, Control.posted);
  }

  /** The finished batch's rows, undefined while it runs; an UnreadBatch if the helper failed it. */
  poll(): BatchRows | UnreadBatch | undefined {
    return this.busy || this.#collected === this.#posted ? undefined : this.#result();
  }

  /**
   * Waits for the batch in flight (a few hundred microseconds of work) on
   * this thread; past PATIENCE_MS, as after a failure, the scan reads its
   * blocks itself, and the helper is not claimed again until it is done.
   */
  finish(): BatchRows | UnreadBatch {
    const { control } = this.#channel;
    const deadline = performance.now() + PATIENCE_MS;
    for (let left = PATIENCE_MS; this.busy && left > 0; left = deadline - performance.now()) {
      Atomics.wait(control, Control.finished, Atomics.load(control, Control.finished), left);
    }
    if (!this.busy) return this.#result();
    this.#collected = this.#posted;
    return { blocks: this.#postedBlocks() };
  }

  #result(): BatchRows | UnreadBatch {
    const { control, slots } = this.#channel;
    this.#collected = this.#posted;
    if (control[Control.failed]) return { blocks: this.#postedBlocks() };
    this.#batchesRead++;
    return { rows: control[Control.written]!, slots };
  }

  #postedBlocks(): Float64Array {
    return this.#channel.blocks.slice(0, this.#channel.control[Control.blocks]! * BLOCK_FIELDS);
  }
}
