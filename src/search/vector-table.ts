import { createL2Kernel, MAX_PAGES, PAGE_BYTES, QUANTIZED_STEP, webAssembly, type L2Kernel, type WasmMemory } from './l2-kernel.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Scan } from './candidates.js';
import { Partition } from './partition.js';
import { layOutBlocks } from './block-layout.js';
import { emptyCoordinates, fitProjection, PROJECTED, projectedLimit, quantizeCoordinates, queryCoordinates, sampleRows, type Projection } from './projection.js';
import { seededRandom } from '../ml/head/seeded-random.js';
import { pauseIfLong } from '../time-slice.js';
import { BLOCK_ROWS, readBlock, readRows, type BlockOutput, type RowLayout } from './block-scan.js';
import { BATCH_BLOCKS, BATCH_ROWS, BLOCK_FIELDS, LANES } from './scan-batch.js';
import { ScanHelper, type BatchRows, type UnreadBatch } from './scan-helper.js';

let tables = 0;

const MAX_TABLE_BYTES = MAX_PAGES * PAGE_BYTES;
const INT8_MAX = 127;
/** Rows between two questions for a threshold: a few megabytes. */
const SCAN_CHUNK = 8192;
/** Relative room for the double sum of a radius: (n + 2)·2^-53 at most, for any n a vector can have. */
const RADIUS_MARGIN = 1 + 2 ** -40;
/** A row filed in no block: in the tail, or while there is no partition. */
const TAIL = -1;
/** Below this many rows a full scan is as quick as reading a partition. */
const MIN_PARTITIONED_ROWS = 16_384;
/** Rows the filing step handles between two looks at the clock. */
const PERMUTE_STEP = 1024;
/** Below this many rows a scan is too short to share with the helper thread. */
const HELPER_MIN_ROWS = 65_536;
/** How long a scan runs alone before it asks for the helper: a 1 ms query at 100,000 rows took 1.13x as long with it. */
const HELP_AFTER_MS = 1;
/** A row's projected coordinates follow its int8 values: a 16-byte header (scale, slack), then PROJECTED int8s. */
const PROJECTION_BYTES = QUANTIZED_STEP + PROJECTED;

/** When a scan shares its blocks with the helper thread: a table of at least `minRows`, once it has run `afterMs`. */
export interface HelperUse {
  minRows: number;
  afterMs: number;
}

/** What a scan asks, with the rows scanned so far, before each chunk or block. */
export interface ScanLimits {
  /** The sum past which a row no longer matters (its scan may stop there). */
  threshold(scanned: Required<Scan>): number;
  /** How far from the scanned query y' a row that matters can truly be; Infinity while unbounded. */
  reach(): number;
}

/** Per slot, while a partition is being built: whether the row changed since the build began (1), and its sum to every pivot, at pivot·rows + slot. */
interface Assignment {
  rows: number;
  /** Slots the pass of the current pivot has summed. */
  passed: number;
  changed: Uint8Array;
  sums: Float32Array;
}

export class IndexCapacityError extends Error {
  override name = 'IndexCapacityError';
}

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
 * float32 scale s = max|x|/127 and int8 values q = round(x/s), and stands for
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
 * Memory layout: the query (float32, one value per int8 column), its
 * projected coordinates (PROJECTED float32s), then the rows, then one
 * float32 per row of scratch for the distances and a block's worth for the
 * projected sums, then the same for the helper's batch. Rows are padded
 * with zeros to whole kernel steps, which adds nothing to a distance.
 */
export class VectorTable {
  #dimensions = 0;
  /** int8 values a row holds, padded. */
  #columns = 0;
  #rowBytes = 0;
  #capacity = 0;
  /** Slots in use, holes between blocks included: the tail ends here. */
  #used = 0;
  #ids = new Int32Array(0);
  /** A number the caller gives each row, scanned beside its id: space-index.ts's category code. */
  #categories = new Int32Array(0);
  #radii = new Float64Array(0);
  /** Per slot, its block, or TAIL. */
  #blockOf = new Int32Array(0);
  /** A scan's ids, categories and radii, in the order it read the rows. */
  #scanIds = new Int32Array(0);
  #scanCategories = new Int32Array(0);
  #scanRadii = new Float64Array(0);
  /** The slot of each row a scan read, in its order. */
  #scanSlots = new Int32Array(0);
  #partition: Partition | undefined;
  /** The memory as bytes, made again when it grows. */
  #bytes: Int8Array | undefined;
  #assignment: Assignment | undefined;
  /** Never lowered: stays an upper bound on every radius. */
  #maxRadius = 0;
  /** Settles when the last scan, write or partition step queued has ended. */
  #lock: Promise<unknown> = Promise.resolve();
  readonly #slots = new Map<number, number>();
  readonly #memory: WasmMemory;
  readonly #kernel: L2Kernel;
  readonly #maxPages: number;
  /** Tells the helper thread which table a batch reads. */
  readonly #id = ++tables;
  /** Operations queued in exclusive(), the running one included. */
  #queued = 0;

  constructor(
    maxBytes = MAX_TABLE_BYTES,
    private readonly scanChunk = SCAN_CHUNK,
    private readonly help: HelperUse = { minRows: HELPER_MIN_ROWS, afterMs: HELP_AFTER_MS },
  ) {
    this.#maxPages = Math.floor(maxBytes / PAGE_BYTES);
    this.#memory = new webAssembly.Memory({ initial: 1, maximum: this.#maxPages, shared: true });
    this.#kernel = createL2Kernel(this.#memory);
  }

  /**
   * A table holding the rows of an image() taken earlier, whose bytes `fill`
   * writes straight into the table's memory. Throws if the image's row layout
   * is not this code's, or an id repeats.
   */
  static restore(image: Omit<TableImage, 'rows'>, fill: (rows: Uint8Array) => void, maxBytes?: number): VectorTable {
    const table = new VectorTable(maxBytes);
    const count = image.ids.length;
    if (count === 0) return table;
    table.#fixDimensions(image.dimensions);
    if (table.#rowBytes !== image.rowBytes) throw new Error(`rows of ${image.rowBytes} bytes, this table lays out ${table.#rowBytes}`);
    table.#reserve(count);
    fill(new Uint8Array(table.#memory.buffer, table.#rowOffset(0), count * table.#rowBytes));
    table.#ids.set(image.ids);
    table.#categories.set(image.categories);
    table.#radii.set(image.radii);
    table.#blockOf.fill(TAIL, 0, count);
    table.#used = count;
    for (let slot = 0; slot < count; slot++) {
      const id = image.ids[slot]!;
      if (table.#slots.has(id)) throw new Error(`product ${id} has two rows`);
      table.#slots.set(id, slot);
      table.#maxRadius = Math.max(table.#maxRadius, image.radii[slot]!);
    }
    return table;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Views of the contents, valid until the table next changes. */
  image(): TableImage {
    const count = this.#slots.size;
    const image = { dimensions: this.#dimensions, rowBytes: this.#rowBytes };
    if (count === this.#used) {
      return {
        ...image,
        ids: this.#ids.subarray(0, count),
        categories: this.#categories.subarray(0, count),
        radii: this.#radii.subarray(0, count),
        rows: new Uint8Array(this.#memory.buffer, this.#rowOffset(0), count * this.#rowBytes),
      };
    }
    // Deletions left holes at the ends of blocks: the live rows, copied together in slot order.
    const slots = Int32Array.from(this.#slots.values()).sort();
    const rows = new Uint8Array(count * this.#rowBytes);
    const memory = new Uint8Array(this.#memory.buffer);
    slots.forEach((slot, i) => rows.set(memory.subarray(this.#rowOffset(slot), this.#rowOffset(slot) + this.#rowBytes), i * this.#rowBytes));
    return {
      ...image,
      ids: slots.map((slot) => this.#ids[slot]!),
      categories: slots.map((slot) => this.#categories[slot]!),
      radii: Float64Array.from(slots, (slot) => this.#radii[slot]!),
      rows,
    };
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** Bytes of WebAssembly memory the table has reserved. */
  get bytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Blocks of the partition, 0 without one. */
  get blocks(): number {
    return this.#partition?.blocks ?? 0;
  }

  /** Whether partition() would pay: enough rows, and no partition yet, or a tail past an eighth of the rows. */
  get wantsPartition(): boolean {
    if (this.#assignment || this.size < MIN_PARTITIONED_ROWS) return false;
    const partition = this.#partition;
    return !partition || (this.#used - partition.tailStart) * 8 > this.size;
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
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : this.#vectorAt(slot);
  }

  #vectorAt(slot: number): Float32Array {
    const scale = this.#scaleOf(slot);
    const values = this.#values(slot);
    // A loop: a mapping function per value costs ten times as much, and the build samples a thousand rows in one step.
    const vector = new Float32Array(this.#dimensions);
    for (let i = 0; i < vector.length; i++) vector[i] = values[i]! * scale;
    return vector;
  }

  radiusOf(id: number): number | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : this.#radii[slot];
  }

  set(id: number, vector: Float32Array, category = 0): void {
    if (this.#dimensions === 0) this.#fixDimensions(vector.length);
    if (vector.length !== this.#dimensions) {
      throw new Error(`product ${id} has ${vector.length} dimensions, the index ${this.#dimensions}`);
    }
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = this.#used;
      this.#reserve(slot + 1);
      this.#used++;
      this.#slots.set(id, slot);
      this.#ids[slot] = id;
      this.#blockOf[slot] = TAIL;
    }
    this.#unassign(slot);
    this.#categories[slot] = category;
    const radius = this.#quantize(slot, vector);
    this.#radii[slot] = radius;
    if (radius > this.#maxRadius) this.#maxRadius = radius;
    const block = this.#blockOf[slot]!;
    if (block === TAIL) return;
    const partition = this.#partition!;
    const coordinates = new Float32Array(PROJECTED);
    const values = new Int8Array(PROJECTED);
    const { scale, slack } = quantizeCoordinates(partition.projection.coordinates(this.#vectorAt(slot)), values, 0, coordinates, 0);
    this.#writeProjection(slot, values, 0, scale, slack);
    partition.widen(block, coordinates, slack, radius);
  }

  /** Writes the row's projected coordinates: `values[from..]` at `scale`, and their slack e_x. */
  #writeProjection(slot: number, values: Int8Array, from: number, scale: number, slack: number): void {
    const at = this.#projectionOffset(slot);
    const buffer = this.#memory.buffer;
    if (this.#bytes?.buffer !== buffer) this.#bytes = new Int8Array(buffer);
    this.#bytes.set(values.subarray(from, from + PROJECTED), at + QUANTIZED_STEP);
    const header = new DataView(buffer, at, 8);
    header.setFloat32(0, scale, true);
    header.setFloat32(4, slack, true);
  }

  delete(id: number): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    const block = this.#blockOf[slot]!;
    const partition = this.#partition;
    const last = block === TAIL ? this.#used - 1 : partition!.starts[block]! + partition!.counts[block]! - 1;
    if (slot !== last) {
      const start = this.#rowOffset(last);
      new Uint8Array(this.#memory.buffer).copyWithin(this.#rowOffset(slot), start, start + this.#rowBytes);
      this.#ids[slot] = this.#ids[last]!;
      this.#categories[slot] = this.#categories[last]!;
      this.#radii[slot] = this.#radii[last]!;
      this.#slots.set(this.#ids[slot]!, slot);
      this.#moveAssignment(last, slot);
    }
    this.#unassign(last);
    this.#slots.delete(id);
    if (block === TAIL) this.#used--;
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
   * value past the threshold and at most its full sum. With a partition,
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
    return this.exclusive(async () => consume(await this.#scan(query, limits)));
  }

  async #scan(query: Float32Array, limits: ScanLimits | undefined): Promise<Required<Scan>> {
    const out = this.#rowOffset(this.#capacity);
    const partition = this.#partition;
    const count = partition ? this.#slots.size : this.#used;
    const scan = {
      distances: new Float32Array(this.#memory.buffer, out, count),
      ids: partition ? this.#scanIds.subarray(0, count) : this.#ids.subarray(0, count),
      categories: partition ? this.#scanCategories.subarray(0, count) : this.#categories.subarray(0, count),
      radii: partition ? this.#scanRadii.subarray(0, count) : this.#radii.subarray(0, count),
      maxRadius: this.#maxRadius,
    };
    if (count === 0) return scan;
    if (query.length !== this.#dimensions) throw new Error(`a query of ${query.length} dimensions, the index has ${this.#dimensions}`);
    new Float32Array(this.#memory.buffer, 0, this.#dimensions).set(query);
    const output = { out, slots: this.#scanSlots, projectedSums: new Float32Array(this.#memory.buffer, out + this.#capacity * 4, BLOCK_ROWS) };
    let read = 0;
    const readChunks = async (from: number, to: number) => {
      for (let chunk = from; chunk < to; chunk += this.scanChunk) {
        const pause = pauseIfLong();
        if (pause) await pause;
        const limit = limits ? limits.threshold(this.#prefix(scan, read)) : Infinity;
        read = this.#label(scan, read, readRows(this.#kernel, this.#layout(), chunk, Math.min(to, chunk + this.scanChunk), limit, output, read));
      }
    };
    if (!partition) {
      await readChunks(0, count);
      return scan;
    }
    await readChunks(partition.tailStart, this.#used);
    const projected = new Float32Array(this.#memory.buffer, this.#columns * 4, PROJECTED);
    const querySlack = queryCoordinates(partition.projection, query, projected);
    const blocks = partition.visitOrder(projected, querySlack);
    // A short scan ends before a handover would pay: the helper is asked only once the scan has run a while.
    const helpFrom = count >= this.help.minRows ? performance.now() + this.help.afterMs : Infinity;
    let helped: ScanHelper | undefined;
    // Each block is read with the limits of the moment: the reach only falls as rows are read (candidates.ts).
    const limitsOf = (block: number, reach: number) => projectedLimit(partition.projection.norm, reach, partition.radius[block]!, querySlack, partition.slack[block]!);
    try {
      while (blocks.nextKey !== Infinity) {
        const pause = pauseIfLong();
        if (pause) await pause;
        if (!helped && performance.now() >= helpFrom) helped = this.#claimHelper();
        for (let done = helped?.poll(); done; done = helped!.poll()) read = this.#addBatch(scan, read, done, output);
        // The rows read so far bring the reach in before it is compared.
        const stop = limits ? limits.threshold(this.#prefix(scan, read)) : Infinity;
        const reach = limits ? limits.reach() : Infinity;
        if (blocks.nextKey > reach) break;
        if (helped?.room && reach < Infinity) {
          const batch: number[] = [];
          while (batch.length < BATCH_BLOCKS * BLOCK_FIELDS && blocks.nextKey <= reach) {
            const block = blocks.take();
            const start = partition.starts[block]!;
            batch.push(start, start + partition.counts[block]!, limitsOf(block, reach), stop);
          }
          helped.post(this.#id, this.#memory, this.#layout(), this.#helperOffset(), batch);
          continue;
        }
        const block = blocks.take();
        const start = partition.starts[block]!;
        read = this.#label(scan, read, readBlock(this.#kernel, this.#layout(), start, start + partition.counts[block]!, limitsOf(block, reach), stop, output, read));
      }
      while (helped?.pending) read = this.#addBatch(scan, read, helped.finish(), output);
    } finally {
      helped?.release();
    }
    return { ...this.#prefix(scan, read), maxRadius: this.#maxRadius };
  }

  /** The process's helper thread for this scan, when nothing else waits on the table and no other scan holds it. */
  #claimHelper(): ScanHelper | undefined {
    const helper = this.#queued === 1 ? ScanHelper.shared() : undefined;
    return helper?.claim() ? helper : undefined;
  }

  #layout(): RowLayout {
    return { rowsAt: this.#rowOffset(0), rowBytes: this.#rowBytes, columns: this.#columns };
  }

  /** Where the helper's batches write: each lane's sums, then a block's projected sums. */
  #helperOffset(): number {
    return this.#rowOffset(this.#capacity) + (this.#capacity + BLOCK_ROWS) * 4;
  }

  /** The helper's batch added to the scan after its first `read` rows, or read here if the helper could not; returns the rows read. */
  #addBatch(scan: Required<Scan>, read: number, batch: BatchRows | UnreadBatch, output: BlockOutput): number {
    if ('blocks' in batch) {
      const { blocks } = batch;
      for (let at = 0; at < blocks.length; at += BLOCK_FIELDS) {
        read = this.#label(scan, read, readBlock(this.#kernel, this.#layout(), blocks[at]!, blocks[at + 1]!, blocks[at + 2]!, blocks[at + 3]!, output, read));
      }
      return read;
    }
    scan.distances.set(new Float32Array(this.#memory.buffer, batch.out, batch.rows), read);
    this.#scanSlots.set(batch.slots.subarray(0, batch.rows), read);
    return this.#label(scan, read, read + batch.rows);
  }

  /** Fills in the ids, categories and radii of the scan's rows from..to by their slots; returns `to`. */
  #label(scan: Required<Scan>, from: number, to: number): number {
    if (!this.#partition) return to;
    const slots = this.#scanSlots;
    for (let at = from; at < to; at++) {
      const slot = slots[at]!;
      scan.ids[at] = this.#ids[slot]!;
      scan.categories[at] = this.#categories[slot]!;
      scan.radii[at] = this.#radii[slot]!;
    }
    return to;
  }

  #prefix(scan: Required<Scan>, rows: number): Required<Scan> {
    return {
      ...scan,
      distances: scan.distances.subarray(0, rows),
      ids: scan.ids.subarray(0, rows),
      categories: scan.categories.subarray(0, rows),
      radii: scan.radii.subarray(0, rows),
    };
  }

  /**
   * Files the rows in blocks (the class comment), in the background: the
   * table serves scans and takes writes meanwhile, and changes to its
   * layout only in the last step, which holds it. The projection is fitted
   * to a sample of rows; one kernel pass over the table per pivot gives
   * every row's rings and coordinates. Rows written meanwhile go to the tail.
   */
  async partition(blockRows = BLOCK_ROWS, random = seededRandom(this.size)): Promise<void> {
    if (this.#assignment || this.size === 0) return;
    if (blockRows > BLOCK_ROWS) throw new Error(`blocks of at most ${BLOCK_ROWS} rows`);
    const rows = this.#used;
    const assignment: Assignment = { rows, passed: 0, changed: new Uint8Array(rows), sums: new Float32Array(0) };
    this.#assignment = assignment;
    try {
      // Started now, the helper thread runs by the time the partition serves scans.
      if (this.size >= this.help.minRows) ScanHelper.shared();
      await pauseIfLong();
      // The rows as they are now: any map serves (σ is proven for the one fitted), and a write from here on is tracked.
      const sample = sampleRows(rows, this.size, random, (slot) => this.#slots.get(this.#ids[slot]!) === slot).map((slot) => this.#vectorAt(slot));
      const projection = await fitProjection(sample, this.#dimensions, random);
      const pivotCount = projection.pivots.length / this.#dimensions;
      assignment.sums = new Float32Array(rows * pivotCount);
      for (let g = 0; g < pivotCount; g++) {
        await nextTurn();
        assignment.passed = 0;
        while (assignment.passed < rows) {
          await this.exclusive(() => this.#assignChunk(assignment, projection.pivots, g));
          await pauseIfLong();
        }
      }
      await this.exclusive(() => this.#file(assignment, projection, blockRows));
    } finally {
      this.#assignment = undefined;
    }
  }

  /** One chunk of pivot g's pass: the sums of the next rows to the pivot. Rows past those present at the start are new: the tail takes them. */
  #assignChunk(assignment: Assignment, pivots: Float32Array, g: number): void {
    const dimensions = this.#dimensions;
    const { rows } = assignment;
    const from = assignment.passed;
    const to = Math.min(rows, from + this.scanChunk);
    const out = this.#rowOffset(this.#capacity);
    // A scan may have run since the last chunk: the query slot holds its query.
    new Float32Array(this.#memory.buffer, 0, dimensions).set(pivots.subarray(g * dimensions, (g + 1) * dimensions));
    this.#kernel.quantizedSquaredDistances(0, this.#rowOffset(from), to - from, this.#rowBytes, out, this.#columns, Infinity);
    assignment.sums.set(new Float32Array(this.#memory.buffer, out, to - from), g * rows + from);
    assignment.passed = to;
  }

  /**
   * The last step of partition(): writes every unchanged row's projected
   * coordinates, lays the rows out in blocks (block-layout.ts) and files
   * them, in place, holding the table: scans and writes wait for it, while
   * it pauses for the event loop as it goes.
   */
  async #file({ rows, changed, sums }: Assignment, projection: Projection, blockRows: number): Promise<void> {
    const filed: number[] = [];
    const tail: number[] = [];
    let seen = 0;
    for (const slot of this.#slots.values()) {
      if (++seen % PERMUTE_STEP === 0) await pauseIfLong();
      if (slot < rows && changed[slot] === 0) filed.push(slot);
      else tail.push(slot);
    }
    const slots = Int32Array.from(filed);
    // Written into the rows only once they are filed: until then the partition in use reads the rows' present coordinates.
    const values = new Int8Array(rows * PROJECTED);
    const scales = new Float32Array(rows);
    const coordinates = new Float32Array(rows * PROJECTED);
    const slacks = new Float64Array(rows);
    const estimate = emptyCoordinates();
    for (let i = 0; i < slots.length; i++) {
      if (i % PERMUTE_STEP === 0) await pauseIfLong();
      const slot = slots[i]!;
      const at = slot * PROJECTED;
      ({ scale: scales[slot], slack: slacks[slot] } = quantizeCoordinates(projection.coordinatesFromSums(sums, rows, slot, estimate), values, at, coordinates, at));
    }
    const starts = await layOutBlocks(slots, (slot, axis) => coordinates[slot * PROJECTED + axis]!, PROJECTED, blockRows);
    const blocks = starts.length;
    const counts = new Int32Array(blocks);
    const low = new Float64Array(blocks * PROJECTED).fill(Infinity);
    const high = new Float64Array(blocks * PROJECTED).fill(-Infinity);
    const slack = new Float64Array(blocks);
    const radius = new Float64Array(blocks);
    for (let block = 0, sinceCheck = 0; block < blocks; block++) {
      const from = starts[block]!;
      if ((sinceCheck += blockRows) >= PERMUTE_STEP) {
        sinceCheck = 0;
        await pauseIfLong();
      }
      const to = block + 1 < blocks ? starts[block + 1]! : slots.length;
      counts[block] = to - from;
      for (let i = from; i < to; i++) {
        const slot = slots[i]!;
        radius[block] = Math.max(radius[block]!, this.#radii[slot]!);
        slack[block] = Math.max(slack[block]!, slacks[slot]!);
        for (let j = 0, at = block * PROJECTED; j < PROJECTED; j++, at++) {
          const value = coordinates[slot * PROJECTED + j]!;
          if (value < low[at]!) low[at] = value;
          if (value > high[at]!) high[at] = value;
        }
      }
    }
    const tailStart = slots.length;
    const order = new Int32Array(tailStart + tail.length);
    order.set(slots);
    order.set(tail, tailStart);
    await this.#permute(order);
    for (let slot = 0; slot < tailStart; slot++) {
      if (slot % PERMUTE_STEP === 0) await pauseIfLong();
      const from = order[slot]!;
      this.#writeProjection(slot, values, from * PROJECTED, scales[from]!, slacks[from]!);
    }
    this.#partition = new Partition(projection, Int32Array.from(starts), counts, low, high, slack, radius, tailStart);
    this.#used = order.length;
    this.#blockOf.fill(TAIL);
    for (let block = 0; block < blocks; block++) this.#blockOf.fill(block, starts[block]!, starts[block]! + counts[block]!);
  }

  /**
   * Moves the row at slot order[i] to slot i by swaps, pausing for the event
   * loop between them: after each swap every row lies whole in the slot its
   * id names, so vectorOf, radiusOf and image() stay true during a pause.
   * Slot i holds a hole a deletion left when its id names another slot.
   */
  async #permute(order: Int32Array): Promise<void> {
    // A loop: Int32Array.from with a mapping took 116 ms at a million rows.
    const wanted = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) wanted[i] = this.#ids[order[i]!]!;
    const memory = new Uint8Array(this.#memory.buffer);
    const rowBytes = this.#rowBytes;
    const spare = new Uint8Array(rowBytes);
    for (let i = 0; i < wanted.length; i++) {
      if (i % PERMUTE_STEP === 0) await pauseIfLong();
      const id = wanted[i]!;
      const from = this.#slots.get(id)!;
      if (from === i) continue;
      const [here, there] = [this.#rowOffset(i), this.#rowOffset(from)];
      const [category, radius] = [this.#categories[from]!, this.#radii[from]!];
      const held = this.#ids[i]!;
      if (this.#slots.get(held) === i) {
        spare.set(memory.subarray(here, here + rowBytes));
        memory.copyWithin(here, there, there + rowBytes);
        memory.set(spare, there);
        this.#ids[from] = held;
        this.#categories[from] = this.#categories[i]!;
        this.#radii[from] = this.#radii[i]!;
        this.#slots.set(held, from);
      } else {
        memory.copyWithin(here, there, there + rowBytes);
      }
      this.#ids[i] = id;
      this.#categories[i] = category;
      this.#radii[i] = radius;
      this.#slots.set(id, i);
    }
  }

  /** While a partition is being built: the row at `slot` changed, and goes to the tail. */
  #unassign(slot: number): void {
    const assignment = this.#assignment;
    if (assignment && slot < assignment.rows) assignment.changed[slot] = 1;
  }

  #moveAssignment(from: number, to: number): void {
    const assignment = this.#assignment;
    if (!assignment || to >= assignment.rows) return;
    // The current pass has summed `to` but not `from`: `to` would keep a sum that is not its row's.
    if (from >= assignment.rows || (from >= assignment.passed && to < assignment.passed)) {
      assignment.changed[to] = 1;
      return;
    }
    assignment.changed[to] = assignment.changed[from]!;
    for (let at = 0; at < assignment.sums.length; at += assignment.rows) assignment.sums[at + to] = assignment.sums[at + from]!;
  }

  /**
   * Writes the row and returns its radius: |x - x'| summed in double, where
   * each difference of two float32s is exact or off by 2^-53 relative, and
   * the sum adds (n + 1)·2^-53 more; RADIUS_MARGIN covers both. Infinite when
   * x' overflows float32 (a scale near FLOAT32_MAX / 127): candidates.ts then
   * keeps the row whatever its distance.
   */
  #quantize(slot: number, vector: Float32Array): number {
    let largest = 0;
    for (let i = 0; i < vector.length; i++) largest = Math.max(largest, Math.abs(vector[i]!));
    const scale = Math.fround(largest / INT8_MAX);
    new Float32Array(this.#memory.buffer, this.#rowOffset(slot), 1)[0] = scale;
    const values = this.#values(slot);
    let squared = 0;
    for (let i = 0; i < vector.length; i++) {
      const x = vector[i]!;
      let value = 0;
      if (scale !== 0) {
        // Math.round(x / scale), which V8 calls out of line at several times
        // the cost of the rest of the loop. floor(v + 0.5) is the same but
        // where the sum rounds up onto an integer n while v < n - 0.5, which
        // the test undoes (n - 0.5 is exact below 2^52; past 127 both clamp).
        const exact = x / scale;
        value = Math.floor(exact + 0.5);
        if (value - 0.5 > exact) value--;
        if (value > INT8_MAX) value = INT8_MAX;
        else if (value < -INT8_MAX) value = -INT8_MAX;
      }
      values[i] = value;
      const difference = x - Math.fround(value * scale);
      squared += difference * difference;
    }
    values.fill(0, vector.length);
    return Math.sqrt(squared) * RADIUS_MARGIN;
  }

  #fixDimensions(dimensions: number): void {
    this.#dimensions = dimensions;
    this.#columns = Math.ceil(dimensions / QUANTIZED_STEP) * QUANTIZED_STEP;
    this.#rowBytes = QUANTIZED_STEP + this.#columns + PROJECTION_BYTES;
  }

  /** The query comes first: one float32 per column, then its projected coordinates. */
  #rowOffset(slot: number): number {
    return (this.#columns + PROJECTED) * 4 + slot * this.#rowBytes;
  }

  #projectionOffset(slot: number): number {
    return this.#rowOffset(slot) + QUANTIZED_STEP + this.#columns;
  }

  #scaleOf(slot: number): number {
    return new Float32Array(this.#memory.buffer, this.#rowOffset(slot), 1)[0]!;
  }

  #values(slot: number): Int8Array {
    return new Int8Array(this.#memory.buffer, this.#rowOffset(slot) + QUANTIZED_STEP, this.#columns);
  }

  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    const capacity = Math.max(rows, Math.ceil(this.#capacity * 1.25), 1024);
    const bytes = this.#rowOffset(capacity) + (capacity + BLOCK_ROWS + LANES * BATCH_ROWS + BLOCK_ROWS) * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (pages > this.#maxPages) {
      throw new IndexCapacityError(`${capacity} vectors of ${this.#dimensions} dimensions need more than ${this.#maxPages * PAGE_BYTES} bytes`);
    }
    const current = this.#memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.#memory.grow(pages - current);
    const ids = new Int32Array(capacity);
    ids.set(this.#ids.subarray(0, this.#used));
    this.#ids = ids;
    const categories = new Int32Array(capacity);
    categories.set(this.#categories.subarray(0, this.#used));
    this.#categories = categories;
    const radii = new Float64Array(capacity);
    radii.set(this.#radii.subarray(0, this.#used));
    this.#radii = radii;
    const blockOf = new Int32Array(capacity);
    blockOf.set(this.#blockOf.subarray(0, this.#used));
    this.#blockOf = blockOf;
    this.#scanIds = new Int32Array(capacity);
    this.#scanCategories = new Int32Array(capacity);
    this.#scanRadii = new Float64Array(capacity);
    this.#scanSlots = new Int32Array(capacity);
    this.#capacity = capacity;
  }
}

/** A scan's views, copied: valid after the table changes. */
function copyOf(scan: Required<Scan>): Required<Scan> {
  return { distances: scan.distances.slice(), ids: scan.ids.slice(), categories: scan.categories.slice(), radii: scan.radii.slice(), maxRadius: scan.maxRadius };
}
