import { createL2Kernel, QUANTIZED_STEP, webAssembly, type L2Kernel, type WasmMemory } from './l2-kernel.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Scan } from './candidates.js';
import { down, Partition, scannedDistance, up } from './partition.js';
import { sortedByKey } from './sorted-by-key.js';
import { seededRandom } from '../ml/head/seeded-random.js';
import { pauseIfLong } from '../time-slice.js';

const PAGE_BYTES = 65_536;
/** WebAssembly's 32-bit address space: 4 GiB. */
const MAX_TABLE_BYTES = 65_536 * PAGE_BYTES;
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
/** Rows a block holds at most when built: small enough to skip finely, large enough that a kernel call is worth it. */
const BLOCK_ROWS = 512;

/** What a scan asks, with the rows scanned so far, before each chunk or block. */
export interface ScanLimits {
  /** The sum past which a row no longer matters (its scan may stop there). */
  threshold(scanned: Required<Scan>): number;
  /** How far from the scanned query y' a row that matters can truly be; Infinity while unbounded. */
  reach(): number;
}

/** Per slot, while a partition is being built: the nearest pivot so far and its sum, NaN where the row changed since; and its sum to every pivot, at pivot·rows + slot. */
interface Assignment {
  rows: number;
  /** Slots the pass of the current pivot has summed: the rest still hold the previous pivot's state. */
  passed: number;
  group: Int32Array;
  sum: Float32Array;
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
 * a scan skips whole when no row of it can matter; a deletion moves the
 * block's last row into the gap, a rewritten row widens its block's bounds,
 * and a new row goes to the tail, which every scan reads.
 *
 * Memory layout: the query (float32, one value per int8 column), then the
 * rows, then one float32 per row of scratch for the distances. Rows are
 * padded with zeros to whole kernel steps, which adds nothing to a distance.
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
  #partition: Partition | undefined;
  #assignment: Assignment | undefined;
  /** Never lowered: stays an upper bound on every radius. */
  #maxRadius = 0;
  /** Settles when the last scan, write or partition step queued has ended. */
  #lock: Promise<unknown> = Promise.resolve();
  readonly #slots = new Map<number, number>();
  readonly #memory: WasmMemory;
  readonly #kernel: L2Kernel;
  readonly #maxPages: number;

  constructor(
    maxBytes = MAX_TABLE_BYTES,
    private readonly scanChunk = SCAN_CHUNK,
  ) {
    this.#maxPages = Math.floor(maxBytes / PAGE_BYTES);
    this.#memory = new webAssembly.Memory({ initial: 1, maximum: this.#maxPages });
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
    const done = this.#lock.then(work);
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
    return Float32Array.from({ length: this.#dimensions }, (_, i) => values[i]! * scale);
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
    if (block !== TAIL) this.#partition!.widen(block, this.#vectorAt(slot), radius);
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
    let read = 0;
    const readRows = async (from: number, to: number) => {
      for (let chunk = from; chunk < to; chunk += this.scanChunk) {
        const pause = pauseIfLong();
        if (pause) await pause;
        const rows = Math.min(this.scanChunk, to - chunk);
        const limit = limits ? limits.threshold(this.#prefix(scan, read)) : Infinity;
        // The kernel compares in float32: rounded up, so a row it stops is past the limit itself.
        const stop = limit === Infinity ? Infinity : limit * (1 + 2 ** -23);
        this.#kernel.quantizedSquaredDistances(0, this.#rowOffset(chunk), rows, this.#rowBytes, out + read * 4, this.#columns, stop);
        if (partition) {
          scan.ids.set(this.#ids.subarray(chunk, chunk + rows), read);
          scan.categories.set(this.#categories.subarray(chunk, chunk + rows), read);
          scan.radii.set(this.#radii.subarray(chunk, chunk + rows), read);
        }
        read += rows;
      }
    };
    if (!partition) {
      await readRows(0, count);
      return scan;
    }
    await readRows(partition.tailStart, this.#used);
    const { order, lower } = partition.visitOrder(query);
    for (let i = 0; i < order.length; i++) {
      if (limits) {
        // The rows read so far bring the reach in before it is compared.
        limits.threshold(this.#prefix(scan, read));
        if (lower[i]! > limits.reach()) break;
      }
      const block = order[i]!;
      const start = partition.starts[block]!;
      await readRows(start, start + partition.counts[block]!);
    }
    return { ...this.#prefix(scan, read), maxRadius: this.#maxRadius };
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
   * layout only in the last, synchronous step. Pivots are rows drawn at
   * random; each row goes to its nearest pivot, by one kernel pass over the
   * table per pivot. Rows written meanwhile go to the tail.
   */
  async partition(groups = Math.max(1, Math.min(48, Math.round(Math.sqrt(this.size) / 24))), blockRows = BLOCK_ROWS, random = seededRandom(this.size)): Promise<void> {
    if (this.#assignment || this.size === 0) return;
    const rows = this.#used;
    const pivotCount = Math.min(groups, this.size);
    const assignment: Assignment = {
      rows,
      passed: 0,
      group: new Int32Array(rows),
      sum: new Float32Array(rows).fill(Infinity),
      sums: new Float32Array(rows * pivotCount),
    };
    this.#assignment = assignment;
    try {
      const pivots = await this.exclusive(() => this.#drawPivots(pivotCount, random));
      for (let g = 0; g < pivotCount; g++) {
        await nextTurn();
        assignment.passed = 0;
        while (assignment.passed < rows) {
          await this.exclusive(() => this.#assignChunk(assignment, pivots, g));
          await pauseIfLong();
        }
      }
      await this.exclusive(() => this.#file(assignment, pivots, blockRows));
    } finally {
      this.#assignment = undefined;
    }
  }

  /**
   * `count` rows drawn at random, their vectors one after another: the
   * table's rows are listed in slices, holding it. A write queued before
   * the build may have left fewer rows than `count`: slot 0, listed in their
   * place, serves as well (any vector does as a pivot).
   */
  async #drawPivots(count: number, random: () => number): Promise<Float32Array> {
    const live = new Int32Array(Math.max(count, this.#slots.size));
    let listed = 0;
    for (const slot of this.#slots.values()) {
      if (listed % PERMUTE_STEP === 0) await pauseIfLong();
      live[listed++] = slot;
    }
    const dimensions = this.#dimensions;
    const pivots = new Float32Array(count * dimensions);
    for (let g = 0; g < count; g++) {
      const pick = g + Math.floor(random() * (live.length - g));
      [live[g], live[pick]] = [live[pick]!, live[g]!];
      pivots.set(this.#vectorAt(live[g]!), g * dimensions);
    }
    return pivots;
  }

  /**
   * One chunk of pivot g's pass: the sums of the next rows to the pivot, and
   * their nearest pivot so far. Rows past those present at the start are
   * new: the tail takes them.
   */
  #assignChunk(assignment: Assignment, pivots: Float32Array, g: number): void {
    const dimensions = this.#dimensions;
    const { rows, group, sum } = assignment;
    const from = assignment.passed;
    const to = Math.min(rows, from + this.scanChunk);
    const out = this.#rowOffset(this.#capacity);
    // A scan may have run since the last chunk: the query slot holds its query.
    new Float32Array(this.#memory.buffer, 0, dimensions).set(pivots.subarray(g * dimensions, (g + 1) * dimensions));
    this.#kernel.quantizedSquaredDistances(0, this.#rowOffset(from), to - from, this.#rowBytes, out, this.#columns, Infinity);
    const sums = new Float32Array(this.#memory.buffer, out, to - from);
    assignment.sums.set(sums, g * rows + from);
    // A NaN sum (a changed row) stays NaN: no comparison with it holds.
    for (let i = 0; i < sums.length; i++) {
      if (sums[i]! < sum[from + i]!) {
        sum[from + i] = sums[i]!;
        group[from + i] = g;
      }
    }
    assignment.passed = to;
  }

  /**
   * The last step of partition(): files every row in its block, in place,
   * holding the table: scans and writes wait for it, while it pauses for
   * the event loop as it goes.
   */
  async #file({ rows, group, sum, sums }: Assignment, pivots: Float32Array, blockRows: number): Promise<void> {
    const dimensions = this.#dimensions;
    const groups = pivots.length / dimensions;
    // Every row: those the passes summed, then the tail.
    const order = new Int32Array(this.#slots.size);
    const tail: number[] = [];
    const groupRows = new Int32Array(groups);
    let filed = 0;
    for (const slot of this.#slots.values()) {
      if ((filed + tail.length) % PERMUTE_STEP === 0) await pauseIfLong();
      if (slot < rows && !Number.isNaN(sum[slot]!)) {
        order[filed++] = slot;
        groupRows[group[slot]!]!++;
      } else {
        tail.push(slot);
      }
    }
    order.set(tail, filed);
    // By group, then by sum, rows of equal sums as listed: ascending sums
    // (none negative or NaN here) order as their float32 bits do.
    const bits = new Uint32Array(sum.buffer, sum.byteOffset, sum.length);
    let sorted: Int32Array = order.subarray(0, filed);
    sorted = await sortedByKey(sorted, 1 << 16, (slot) => bits[slot]! & 0xffff);
    sorted = await sortedByKey(sorted, 1 << 16, (slot) => bits[slot]! >>> 16);
    order.set(await sortedByKey(sorted, groups, (slot) => group[slot]!));
    const starts: number[] = [];
    const counts: number[] = [];
    const inner: number[] = [];
    const outer: number[] = [];
    for (let g = 0, groupStart = 0; g < groups; groupStart += groupRows[g++]!) {
      const groupEnd = groupStart + groupRows[g]!;
      for (let start = groupStart; start < groupEnd; start += blockRows) {
        await pauseIfLong();
        const block = order.subarray(start, Math.min(start + blockRows, groupEnd));
        starts.push(start);
        counts.push(block.length);
        let radius = 0;
        for (const slot of block) radius = Math.max(radius, this.#radii[slot]!);
        // Per pivot, the ring of the smallest and largest sums widened by the largest radius holds every row's.
        for (let pivot = 0; pivot < groups; pivot++) {
          let least = Infinity;
          let most = 0;
          for (const slot of block) {
            const value = sums[pivot * rows + slot]!;
            if (value < least) least = value;
            if (!(value <= most)) most = value;
          }
          inner.push(down(scannedDistance(least, dimensions)[0] - radius));
          outer.push(up(scannedDistance(most, dimensions)[1] + radius));
        }
      }
    }
    await this.#permute(order);
    this.#partition = new Partition(dimensions, pivots, Int32Array.from(starts), Int32Array.from(counts), Float64Array.from(inner), Float64Array.from(outer), filed);
    this.#used = order.length;
    this.#blockOf.fill(TAIL);
    for (let block = 0; block < starts.length; block++) this.#blockOf.fill(block, starts[block]!, starts[block]! + counts[block]!);
  }

  /**
   * Moves the row at slot order[i] to slot i by swaps, pausing for the event
   * loop between them: after each swap every row lies whole in the slot its
   * id names, so vectorOf, radiusOf and image() stay true during a pause.
   * Slot i holds a hole a deletion left when its id names another slot.
   */
  async #permute(order: Int32Array): Promise<void> {
    const wanted = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) {
      if (i % PERMUTE_STEP === 0) await pauseIfLong();
      wanted[i] = this.#ids[order[i]!]!;
    }
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
    if (assignment && slot < assignment.rows) assignment.sum[slot] = Number.NaN;
  }

  #moveAssignment(from: number, to: number): void {
    const assignment = this.#assignment;
    if (!assignment || to >= assignment.rows) return;
    // The current pass has summed `to` but not `from`: `to` would keep a sum that is not its row's.
    if (from >= assignment.rows || (from >= assignment.passed && to < assignment.passed)) {
      assignment.sum[to] = Number.NaN;
      return;
    }
    assignment.sum[to] = assignment.sum[from]!;
    assignment.group[to] = assignment.group[from]!;
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
    this.#rowBytes = QUANTIZED_STEP + this.#columns;
  }

  /** The query comes first: one float32 per column. */
  #rowOffset(slot: number): number {
    return this.#columns * 4 + slot * this.#rowBytes;
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
    const bytes = this.#rowOffset(capacity) + capacity * 4;
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
    this.#capacity = capacity;
  }
}

/** A scan's views, copied: valid after the table changes. */
function copyOf(scan: Required<Scan>): Required<Scan> {
  return { distances: scan.distances.slice(), ids: scan.ids.slice(), categories: scan.categories.slice(), radii: scan.radii.slice(), maxRadius: scan.maxRadius };
}
