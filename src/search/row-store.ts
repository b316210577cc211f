import { BLOCK_ROWS, type RowLayout } from './block-scan.js';
import { createL2Kernel, PAGE_BYTES, QUANTIZED_STEP, webAssembly, type L2Kernel, type WasmMemory } from './l2-kernel.js';
import { PROJECTED, roundedUp } from './projection.js';
import { BATCH_ROWS, LANES } from './scan-batch.js';

/** Relative room for the double sum of a radius: (n + 2)·2^-53 at most, for any n a vector can have. */
const RADIUS_MARGIN = 1 + 2 ** -40;
/** A row's projected coordinates follow its int8 values: a 16-byte header (scale, slack e_x, widening σr + e_x), then PROJECTED int8s. */
const PROJECTION_BYTES = QUANTIZED_STEP + PROJECTED;
/** A row filed in no block: in the tail, or while there is no partition. */
export const TAIL = -1;

let stores = 0;

export class IndexCapacityError extends Error {
  override name = 'IndexCapacityError';
}

/**
 * The rows of a VectorTable and what lies beside them, laid out as the
 * table's comment says: the storage that the table, its scan
 * (table-scan.ts) and its partition build (partition-build.ts) share. Its
 * fields are theirs to read and write; everything else uses VectorTable.
 */
export class RowStore {
  dimensions = 0;
  /** int8 values a row holds, padded. */
  columns = 0;
  rowBytes = 0;
  capacity = 0;
  /** Slots in use, holes between blocks included: the tail ends here. */
  used = 0;
  ids = new Int32Array(0);
  /** A number the caller gives each row, scanned beside its id: space-index.ts's category code. */
  categories = new Int32Array(0);
  radii = new Float64Array(0);
  /** Per slot, its block, or TAIL. */
  blockOf = new Int32Array(0);
  /** A scan's ids, categories, radii and slots, in the order it read the rows. */
  scanIds = new Int32Array(0);
  scanCategories = new Int32Array(0);
  scanRadii = new Float64Array(0);
  scanSlots = new Int32Array(0);
  /** Never lowered: stays an upper bound on every radius. */
  maxRadius = 0;
  readonly slots = new Map<number, number>();
  readonly memory: WasmMemory;
  readonly kernel: L2Kernel;
  /** Tells the helper thread which table a batch reads. */
  readonly id = ++stores;
  /** The memory as bytes, made again when it grows. */
  #bytes: Int8Array | undefined;
  #floatView: Float32Array | undefined;
  readonly #maxPages: number;

  constructor(maxBytes: number) {
    this.#maxPages = Math.floor(maxBytes / PAGE_BYTES);
    this.memory = new webAssembly.Memory({ initial: 1, maximum: this.#maxPages, shared: true });
    this.kernel = createL2Kernel(this.memory);
  }

  get size(): number {
    return this.slots.size;
  }

  fixDimensions(dimensions: number): void {
    this.dimensions = dimensions;
    this.columns = Math.ceil(dimensions / QUANTIZED_STEP) * QUANTIZED_STEP;
    this.rowBytes = QUANTIZED_STEP + this.columns + PROJECTION_BYTES;
  }

  /** The query comes first: one float32 per column, then its projected coordinates. */
  rowOffset(slot: number): number {
    return (this.columns + PROJECTED) * 4 + slot * this.rowBytes;
  }

  projectionOffset(slot: number): number {
    return this.rowOffset(slot) + QUANTIZED_STEP + this.columns;
  }

  layout(): RowLayout {
    return { rowsAt: this.rowOffset(0), rowBytes: this.rowBytes, columns: this.columns };
  }

  /** Where a scan writes its sums: one float32 per row, then the slots of a block's rows read. */
  scratchOffset(): number {
    return this.rowOffset(this.capacity);
  }

  /** Where the helper's batches write: each lane's sums, then the slots of a block's rows read. */
  helperOffset(): number {
    return this.scratchOffset() + (this.capacity + BLOCK_ROWS) * 4;
  }

  /** The vector the row at `slot` stands for, x' (a copy). */
  vectorAt(slot: number): Float32Array {
    const scale = new Float32Array(this.memory.buffer, this.rowOffset(slot), 1)[0]!;
    const values = this.#values(slot);
    // A loop: a mapping function per value costs ten times as much, and the build samples a thousand rows in one step.
    const vector = new Float32Array(this.dimensions);
    for (let i = 0; i < vector.length; i++) vector[i] = values[i]! * scale;
    return vector;
  }

  /**
   * Writes the row and returns its radius: |x - x'| from the kernel's sum of
   * squared errors (row-quantizer.ts), each exact, their sum in double off
   * by (n + 2)·2^-53 relative at most; RADIUS_MARGIN covers it. Infinite
   * when x' overflows float32 (a scale near FLOAT32_MAX / 127):
   * candidates.ts then keeps the row whatever its distance.
   */
  quantize(slot: number, vector: Float32Array): number {
    // The kernel reads the vector from the memory, in the area after every other.
    const staging = this.#stagingOffset(this.capacity);
    const floats = this.#floats();
    floats.set(vector, staging / 4);
    floats.fill(0, staging / 4 + vector.length, staging / 4 + this.columns);
    return Math.sqrt(this.kernel.quantize(staging, this.rowOffset(slot), this.columns)) * RADIUS_MARGIN;
  }

  /**
   * The row's radius, kept beside it (`radii`) and in its header, rounded
   * up to a float32, where the block kernel reads it (block-kernel.ts).
   */
  setRadius(slot: number, radius: number): void {
    this.radii[slot] = radius;
    new DataView(this.memory.buffer, this.rowOffset(slot) + 4, 4).setFloat32(0, roundedUp(radius), true);
    if (radius > this.maxRadius) this.maxRadius = radius;
  }

  /** Writes the row's projected coordinates: `values[from..]` at `scale`, their slack e_x, and the row's widening σr + e_x (projection.ts). */
  writeProjection(slot: number, values: Int8Array, from: number, scale: number, slack: number, widening: number): void {
    const at = this.projectionOffset(slot);
    const buffer = this.memory.buffer;
    if (this.#bytes?.buffer !== buffer) this.#bytes = new Int8Array(buffer);
    this.#bytes.set(values.subarray(from, from + PROJECTED), at + QUANTIZED_STEP);
    const header = new DataView(buffer, at, 12);
    header.setFloat32(0, scale, true);
    header.setFloat32(4, slack, true);
    header.setFloat32(8, widening, true);
  }

  /** Room for `rows` rows: the memory grows by a quarter at a time, and the arrays beside it with it. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, Math.ceil(this.capacity * 1.25), 1024);
    const bytes = this.#stagingOffset(capacity) + this.columns * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (pages > this.#maxPages) {
      throw new IndexCapacityError(`${capacity} vectors of ${this.dimensions} dimensions need more than ${this.#maxPages * PAGE_BYTES} bytes`);
    }
    const current = this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.memory.grow(pages - current);
    this.ids = grown(this.ids, capacity, this.used);
    this.categories = grown(this.categories, capacity, this.used);
    this.radii = grown(this.radii, capacity, this.used);
    this.blockOf = grown(this.blockOf, capacity, this.used);
    this.scanIds = new Int32Array(capacity);
    this.scanCategories = new Int32Array(capacity);
    this.scanRadii = new Float64Array(capacity);
    this.scanSlots = new Int32Array(capacity);
    this.capacity = capacity;
  }

  /** After the rows, a scan's sums and the helper's (scratchOffset, helperOffset): where quantize hands the kernel a vector. */
  #stagingOffset(capacity: number): number {
    return this.rowOffset(capacity) + (capacity + BLOCK_ROWS + LANES * BATCH_ROWS + BLOCK_ROWS) * 4;
  }

  #floats(): Float32Array {
    const buffer = this.memory.buffer;
    if (this.#floatView?.buffer !== buffer) this.#floatView = new Float32Array(buffer);
    return this.#floatView;
  }

  #values(slot: number): Int8Array {
    return new Int8Array(this.memory.buffer, this.rowOffset(slot) + QUANTIZED_STEP, this.columns);
  }
}

/** A larger array holding the first `kept` values of `array`. */
function grown<T extends Int32Array | Float64Array>(array: T, length: number, kept: number): T {
  const larger = new (array.constructor as new (length: number) => T)(length);
  larger.set(array.subarray(0, kept));
  return larger;
}
