import { seededRandom } from '../util/seeded-random.js';
import { BLOCK_ROWS } from './block-scan.js';
import type { Scan } from './candidates.js';
import { MAX_PAGES, PAGE_BYTES } from './l2-kernel.js';
import type { Partition } from './partition.js';
import { PartitionBuild } from './partition-build.js';
import { PROJECTED, quantizeCoordinates, rowWidening } from './projection.js';
import { RowStore, TAIL } from './row-store.js';
import { ScanHelper } from './scan-helper.js';
import { scanTable, type HelperUse, type ScanLimits } from './table-scan.js';

export { IndexCapacityError } from './row-store.js';
export type { HelperUse, ScanLimits } from './table-scan.js';

const MAX_TABLE_BYTES = MAX_PAGES * PAGE_BYTES;
/** Rows between two questions for a threshold: a few megabytes. */
const SCAN_CHUNK = 8192;
/** Below this many rows a full scan is as quick as reading a partition. */
const MIN_PARTITIONED_ROWS = 16_384;
/** Below this many rows a scan is too short to share with the helper thread. */
const HELPER_MIN_ROWS = 65_536;

/** A table's contents as they lie in memory: what index-snapshot.ts keeps on disk. */
export interface TableImage {
  dimensions: number;
  /** Bytes of one row: its scale, padding, then its int8 values. */
  rowBytes: number;
  /** Product id of each row. */
  ids: Int32Array;
  /** The number the caller gave each row (set's category). */
  categories: Int32Array;
  radii: Float64Array;
  /** The rows, one after another. */
  rows: Uint8Array;
}

/**
 * Vectors of one space keyed by product id, packed in WebAssembly memory for
 * the distance kernel, a quarter of their float32 size: each row holds a
 * float32 scale s = max|x|/127 and int8 values q = round(x/s) (written by
 * the kernel: row-quantizer.ts), and stands for
 * the vector x' = fround(q·s). Beside it the table keeps the row's radius,
 * an upper bound on |x - x'| computed when the row is written, so that
 * candidates.ts can widen its bounds by exactly what quantization lost.
 * The first vector fixes the dimensions.
 *
 * Until partition() runs, rows are unordered and every scan reads them all:
 * a deletion moves the last row into the gap. After it, rows are filed in
 * the blocks of a Partition (partition.ts), each block a run of slots that
 * a scan skips whole when no row of it can matter; within a block it reads
 * only the rows whose projected coordinates (projection.ts), kept in the
 * row after its values, cannot prove them too far. A deletion moves the
 * block's last row into the gap, a rewritten row widens its block's bounds,
 * and a new row goes to the tail, which every scan reads in full.
 *
 * A scan of a large table shares its blocks with the process's helper
 * thread when it can claim it (scan-helper.ts): the memory is shared, and
 * the helper reads batches of the blocks next in the scan's order while the
 * scan reads others.
 *
 * The table is the face of three modules: its rows and what lies beside
 * them (row-store.ts), its scan (table-scan.ts) and its partition build
 * (partition-build.ts).
 *
 * Memory layout: the query (float32, one value per int8 column), its
 * projected coordinates (PROJECTED float32s), then the rows, then one
 * float32 per row of scratch for the distances and a block's worth for the
 * slots of the rows read, then the same for the helper's batch, then a
 * vector for the row writer (row-store.ts). Rows are padded
 * with zeros to whole kernel steps, which adds nothing to a distance.
 */
export class VectorTable {
  readonly #store: RowStore;
  #partition: Partition | undefined;
  #build: PartitionBuild | undefined;
  /** Settles when the last scan, write or partition step queued has ended. */
  #lock: Promise<unknown> = Promise.resolve();
  /** Operations queued in exclusive(), the running one included. */
  #queued = 0;

  constructor(
    maxBytes = MAX_TABLE_BYTES,
    private readonly scanChunk = SCAN_CHUNK,
    private readonly help: HelperUse = { minRows: HELPER_MIN_ROWS },
  ) {
    this.#store = new RowStore(maxBytes);
  }

  /**
   * A table holding the rows of an image() taken earlier, whose bytes `fill`
   * writes straight into the table's memory. Throws if the image's row layout
   * is not this code's, or an id repeats.
   */
  static restore(image: Omit<TableImage, 'rows'>, fill: (rows: Uint8Array) => void, maxBytes?: number): VectorTable {
    const table = new VectorTable(maxBytes);
    const store = table.#store;
    const count = image.ids.length;
    if (count === 0) return table;
    store.fixDimensions(image.dimensions);
    if (store.rowBytes !== image.rowBytes) throw new Error(`rows of ${image.rowBytes} bytes, this table lays out ${store.rowBytes}`);
    store.reserve(count);
    fill(new Uint8Array(store.memory.buffer, store.rowOffset(0), count * store.rowBytes));
    store.ids.set(image.ids);
    store.categories.set(image.categories);
    store.blockOf.fill(TAIL, 0, count);
    store.used = count;
    for (let slot = 0; slot < count; slot++) {
      const id = image.ids[slot]!;
      if (store.slots.has(id)) throw new Error(`product ${id} has two rows`);
      store.slots.set(id, slot);
      // Its header too, from the radius the image keeps: the kernel trusts it.
      store.setRadius(slot, image.radii[slot]!);
    }
    return table;
  }

  get size(): number {
    return this.#store.size;
  }

  /** Views of the contents, valid until the table next changes. */
  image(): TableImage {
    const store = this.#store;
    const count = store.size;
    const image = { dimensions: store.dimensions, rowBytes: store.rowBytes };
    if (count === store.used) {
      return {
        ...image,
        ids: store.ids.subarray(0, count),
        categories: store.categories.subarray(0, count),
        radii: store.radii.subarray(0, count),
        rows: new Uint8Array(store.memory.buffer, store.rowOffset(0), count * store.rowBytes),
      };
    }
    // Deletions left holes at the ends of blocks: the live rows, copied together in slot order.
    const slots = Int32Array.from(store.slots.values()).sort();
    const rows = new Uint8Array(count * store.rowBytes);
    const memory = new Uint8Array(store.memory.buffer);
    slots.forEach((slot, i) => rows.set(memory.subarray(store.rowOffset(slot), store.rowOffset(slot) + store.rowBytes), i * store.rowBytes));
    return {
      ...image,
      ids: slots.map((slot) => store.ids[slot]!),
      categories: slots.map((slot) => store.categories[slot]!),
      radii: Float64Array.from(slots, (slot) => store.radii[slot]!),
      rows,
    };
  }

  get dimensions(): number {
    return this.#store.dimensions;
  }

  /** Bytes of WebAssembly memory the table has reserved. */
  get bytes(): number {
    return this.#store.memory.buffer.byteLength;
  }

  /** Blocks of the partition, 0 without one. */
  get blocks(): number {
    return this.#partition?.blocks ?? 0;
  }

  /** Whether partition() would pay: enough rows, and no partition yet, or a tail past an eighth of the rows. */
  get wantsPartition(): boolean {
    if (this.#build || this.size < MIN_PARTITIONED_ROWS) return false;
    const partition = this.#partition;
    return !partition || (this.#store.used - partition.tailStart) * 8 > this.size;
  }

  /**
   * Runs `work` once every scan, write and partition step queued before it
   * has ended. A scan pauses for the event loop between slices of rows, and
   * its views, its query and its scratch must stay as they are meanwhile:
   * once scans run, set and delete belong in here too.
   */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    this.#queued++;
    const done = this.#lock.then(work).finally(() => this.#queued--);
    this.#lock = done.catch(() => {});
    return done;
  }

  /** The vector the row stands for, x' (a copy); within radiusOf(id) of the stored one. */
  vectorOf(id: number): Float32Array | undefined {
    const slot = this.#store.slots.get(id);
    return slot === undefined ? undefined : this.#store.vectorAt(slot);
  }

  radiusOf(id: number): number | undefined {
    const slot = this.#store.slots.get(id);
    return slot === undefined ? undefined : this.#store.radii[slot];
  }

  set(id: number, vector: Float32Array, category = 0): void {
    const store = this.#store;
    if (store.dimensions === 0) store.fixDimensions(vector.length);
    if (vector.length !== store.dimensions) {
      throw new Error(`product ${id} has ${vector.length} dimensions, the index ${store.dimensions}`);
    }
    let slot = store.slots.get(id);
    if (slot === undefined) {
      slot = store.used;
      store.reserve(slot + 1);
      store.used++;
      store.slots.set(id, slot);
      store.ids[slot] = id;
      store.blockOf[slot] = TAIL;
    }
    this.#build?.unassign(slot);
    store.categories[slot] = category;
    const radius = store.quantize(slot, vector);
    store.setRadius(slot, radius);
    const block = store.blockOf[slot]!;
    if (block === TAIL) return;
    const partition = this.#partition!;
    const coordinates = new Float32Array(PROJECTED);
    const values = new Int8Array(PROJECTED);
    const { scale, slack } = quantizeCoordinates(partition.projection.coordinates(store.vectorAt(slot)), values, 0, coordinates, 0);
    store.writeProjection(slot, values, 0, scale, slack, rowWidening(partition.projection.norm, radius, slack));
    partition.widen(block, coordinates, slack, radius);
  }

  delete(id: number): void {
    const store = this.#store;
    const slot = store.slots.get(id);
    if (slot === undefined) return;
    const block = store.blockOf[slot]!;
    const partition = this.#partition;
    const last = block === TAIL ? store.used - 1 : partition!.starts[block]! + partition!.counts[block]! - 1;
    if (slot !== last) {
      const start = store.rowOffset(last);
      new Uint8Array(store.memory.buffer).copyWithin(store.rowOffset(slot), start, start + store.rowBytes);
      store.ids[slot] = store.ids[last]!;
      store.categories[slot] = store.categories[last]!;
      store.radii[slot] = store.radii[last]!;
      store.slots.set(store.ids[slot]!, slot);
      this.#build?.moveAssignment(last, slot);
    }
    this.#build?.unassign(last);
    store.slots.delete(id);
    if (block === TAIL) store.used--;
    else partition!.counts[block]!--;
  }

  /**
   * Squared distances to the query, float32 sums over x', of the rows the
   * scan reads, beside their product ids, categories and radii. Views valid until the
   * table next changes.
   *
   * Before each chunk of rows (or each block) `limits.threshold` is asked,
   * with the rows scanned so far, for the sum past which a row no longer
   * matters: a row whose partial sum passes it stops there and reports a
   * value past the threshold and at most its full sum, or, in a block, is
   * not reported at all (a sum of Infinity always is). With a partition,
   * blocks are read nearest first, and the scan ends at the first block
   * whose rows are all further than `limits.reach()` from the query: they,
   * and every later block's, cannot matter (partition.ts). Without limits
   * every row is read.
   *
   * The scan runs in exclusive(), pausing for the event loop between chunks
   * or blocks once it has held it a slice (time-slice.ts), and hands its
   * views to `consume` before anything else may touch the table; without
   * `consume` it returns copies.
   */
  squaredDistances<T = Required<Scan>>(query: Float32Array, limits?: ScanLimits, consume: (scan: Required<Scan>) => T = copyOf as (scan: Required<Scan>) => T): Promise<T> {
    const options = { scanChunk: this.scanChunk, help: this.help, alone: () => this.#queued === 1 };
    return this.exclusive(async () => consume(await scanTable(this.#store, this.#partition, query, limits, options)));
  }

  /**
   * Files the rows in blocks (the class comment), in the background: the
   * table serves scans and takes writes meanwhile, and changes to its
   * layout only in the last step, which holds it. The projection is fitted
   * to a sample of rows; one kernel pass over the table per pivot gives
   * every row's rings and coordinates. Rows written meanwhile go to the tail.
   */
  async partition(blockRows = BLOCK_ROWS, random = seededRandom(this.size)): Promise<void> {
    if (this.#build || this.size === 0) return;
    if (blockRows > BLOCK_ROWS) throw new Error(`blocks of at most ${BLOCK_ROWS} rows`);
    const build = new PartitionBuild(this.#store, (work) => this.exclusive(work), this.scanChunk);
    this.#build = build;
    try {
      // Started now, the helper thread runs by the time the partition serves scans.
      if (this.size >= this.help.minRows) ScanHelper.shared();
      await build.run(blockRows, random, (partition) => (this.#partition = partition));
    } finally {
      this.#build = undefined;
    }
  }
}

/** A scan's views, copied: valid after the table changes. */
function copyOf(scan: Required<Scan>): Required<Scan> {
  return { distances: scan.distances.slice(), ids: scan.ids.slice(), categories: scan.categories.slice(), radii: scan.radii.slice(), maxRadius: scan.maxRadius };
}
