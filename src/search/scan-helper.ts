import { availableParallelism } from 'node:os';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { siblingWorkerUrl, startWorker } from '../util/start-worker.js';
import type { RowLayout } from './block-scan.js';
import type { WasmMemory } from './l2-kernel.js';
import { BATCH_BLOCKS, BATCH_ROWS, BLOCK_FIELDS, batchChannel, Control, Lane, laneWord, LANES } from './scan-batch.js';

const WORKER_URL = siblingWorkerUrl('scan-helper-worker', import.meta.url);
/** How long a scan waits for its last batch before it reads the blocks itself. */
const PATIENCE_MS = 200;

/** A finished batch: `rows` sums at the byte address `out`, one per slot in `slots`. */
export interface BatchRows {
  rows: number;
  slots: Int32Array;
  out: number;
}

/** A batch the helper did not read in time, or failed: the scan reads these blocks itself. */
export interface UnreadBatch {
  /** start, end and the bases of each block, as posted. */
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

  /** Whether the scan has batches out whose rows it has not taken. */
  get pending(): boolean {
    return this.#collected !== this.#posted;
  }

  /** Whether a lane is free for another batch. */
  get room(): boolean {
    return this.#posted - this.#collected < LANES;
  }

  /** Whether the helper is still reading a batch posted. */
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

  /**
   * Hands over blocks (BLOCK_FIELDS numbers each, BATCH_BLOCKS at most) of
   * table `table`, whose memory is `memory`, while there is room; the
   * helper's sums go to `out` onwards (LANES · BATCH_ROWS + BLOCK_ROWS
   * float32s).
   */
  post(table: number, memory: WasmMemory, layout: RowLayout, out: number, blocks: readonly number[]): void {
    const { control } = this.#channel;
    if (Atomics.load(control, Control.held) !== table) this.#tables.port1.postMessage({ table, memory });
    const lane = (this.#posted + 1) % LANES;
    this.#channel.blocks.set(blocks, lane * BATCH_BLOCKS * BLOCK_FIELDS);
    control[laneWord(lane, Lane.blocks)] = blocks.length / BLOCK_FIELDS;
    control[Control.table] = table;
    control[Control.rowsAt] = layout.rowsAt;
    control[Control.rowBytes] = layout.rowBytes;
    control[Control.columns] = layout.columns;
    control[Control.out] = out;
    Atomics.store(control, Control.posted, ++this.#posted);
    Atomics.notify(control, Control.posted);
  }

  /** The rows of the oldest batch out once it is finished, undefined before; an UnreadBatch if the helper failed it. */
  poll(): BatchRows | UnreadBatch | undefined {
    if (!this.pending || Atomics.load(this.#channel.control, Control.finished) === this.#collected) return undefined;
    return this.#take();
  }

  /**
   * Waits on this thread for the oldest batch out (a few hundred
   * microseconds of work). Past PATIENCE_MS the scan reads the blocks of
   * every batch out itself, and the helper is not claimed again until it
   * has caught up.
   */
  finish(): BatchRows | UnreadBatch {
    const { control } = this.#channel;
    const deadline = performance.now() + PATIENCE_MS;
    for (let left = PATIENCE_MS; Atomics.load(control, Control.finished) === this.#collected && left > 0; left = deadline - performance.now()) {
      Atomics.wait(control, Control.finished, this.#collected, left);
    }
    if (Atomics.load(control, Control.finished) !== this.#collected) return this.#take();
    const unread: number[] = [];
    while (this.pending) unread.push(...this.#blocksOf(++this.#collected % LANES));
    return { blocks: Float64Array.from(unread) };
  }

  #take(): BatchRows | UnreadBatch {
    const { control, slots } = this.#channel;
    const lane = ++this.#collected % LANES;
    if (control[laneWord(lane, Lane.failed)]) return { blocks: this.#blocksOf(lane) };
    this.#batchesRead++;
    return { rows: control[laneWord(lane, Lane.written)]!, slots: slots.subarray(lane * BATCH_ROWS), out: control[Control.out]! + lane * BATCH_ROWS * 4 };
  }

  #blocksOf(lane: number): Float64Array {
    const from = lane * BATCH_BLOCKS * BLOCK_FIELDS;
    return this.#channel.blocks.slice(from, from + this.#channel.control[laneWord(lane, Lane.blocks)]! * BLOCK_FIELDS);
  }

}
