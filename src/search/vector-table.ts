import { createL2Kernel, QUANTIZED_STEP, webAssembly, type L2Kernel, type WasmMemory } from './l2-kernel.js';
import type { Scan } from './candidates.js';

const PAGE_BYTES = 65_536;
/** WebAssembly's 32-bit address space: 4 GiB. */
const MAX_TABLE_BYTES = 65_536 * PAGE_BYTES;
const INT8_MAX = 127;
/** Rows between two questions for a threshold: a few megabytes. */
const SCAN_CHUNK = 8192;
/** Relative room for the double sum of a radius: (n + 2)·2^-53 at most, for any n a vector can have. */
const RADIUS_MARGIN = 1 + 2 ** -40;

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
 * Rows are unordered: a deletion moves the last row into the gap. The first
 * vector fixes the dimensions.
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
  #ids = new Int32Array(0);
  #radii = new Float64Array(0);
  /** Never lowered: stays an upper bound on every radius. */
  #maxRadius = 0;
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
    table.#radii.set(image.radii);
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
    return {
      dimensions: this.#dimensions,
      rowBytes: this.#rowBytes,
      ids: this.#ids.subarray(0, count),
      radii: this.#radii.subarray(0, count),
      rows: new Uint8Array(this.#memory.buffer, this.#rowOffset(0), count * this.#rowBytes),
    };
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** Bytes of WebAssembly memory the table has reserved. */
  get bytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** The vector the row stands for, x' (a copy); within radiusOf(id) of the stored one. */
  vectorOf(id: number): Float32Array | undefined {
    const slot = this.#slots.get(id);
    if (slot === undefined) return undefined;
    const scale = this.#scaleOf(slot);
    const values = this.#values(slot);
    return Float32Array.from({ length: this.#dimensions }, (_, i) => values[i]! * scale);
  }

  radiusOf(id: number): number | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : this.#radii[slot];
  }

  set(id: number, vector: Float32Array): void {
    if (this.#dimensions === 0) this.#fixDimensions(vector.length);
    if (vector.length !== this.#dimensions) {
      throw new Error(`product ${id} has ${vector.length} dimensions, the index ${this.#dimensions}`);
    }
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = this.#slots.size;
      this.#reserve(slot + 1);
      this.#slots.set(id, slot);
      this.#ids[slot] = id;
    }
    const radius = this.#quantize(slot, vector);
    this.#radii[slot] = radius;
    if (radius > this.#maxRadius) this.#maxRadius = radius;
  }

  delete(id: number): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    const last = this.#slots.size - 1;
    if (slot !== last) {
      const start = this.#rowOffset(last);
      new Uint8Array(this.#memory.buffer).copyWithin(this.#rowOffset(slot), start, start + this.#rowBytes);
      this.#ids[slot] = this.#ids[last]!;
      this.#radii[slot] = this.#radii[last]!;
      this.#slots.set(this.#ids[slot]!, slot);
    }
    this.#slots.delete(id);
  }

  /**
   * Each row's squared distance to the query, a float32 sum over x', beside
   * the row's product id and radius. Views valid until the table next changes.
   *
   * Rows go through the kernel a chunk at a time; before each chunk
   * `threshold` is asked, with the rows scanned so far, for the sum past
   * which a row no longer matters. A row whose partial sum passes it stops
   * there and reports a value past the threshold and at most its full sum.
   */
  squaredDistances(query: Float32Array, threshold: (scanned: Required<Scan>) => number = () => Infinity): Required<Scan> {
    const out = this.#rowOffset(this.#capacity);
    const count = this.#slots.size;
    const scan = {
      distances: new Float32Array(this.#memory.buffer, out, count),
      ids: this.#ids.subarray(0, count),
      radii: this.#radii.subarray(0, count),
      maxRadius: this.#maxRadius,
    };
    if (count === 0) return scan;
    if (query.length !== this.#dimensions) throw new Error(`a query of ${query.length} dimensions, the index has ${this.#dimensions}`);
    new Float32Array(this.#memory.buffer, 0, this.#dimensions).set(query);
    for (let from = 0; from < count; from += this.scanChunk) {
      const rows = Math.min(this.scanChunk, count - from);
      const scanned = { ...scan, distances: scan.distances.subarray(0, from), ids: scan.ids.subarray(0, from), radii: scan.radii.subarray(0, from) };
      const limit = threshold(scanned);
      // The kernel compares in float32: rounded up, so a row it stops is past the limit itself.
      const stop = limit === Infinity ? Infinity : limit * (1 + 2 ** -23);
      this.#kernel.quantizedSquaredDistances(0, this.#rowOffset(from), rows, this.#rowBytes, out + from * 4, this.#columns, stop);
    }
    return scan;
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
    for (const x of vector) largest = Math.max(largest, Math.abs(x));
    const scale = Math.fround(largest / INT8_MAX);
    new Float32Array(this.#memory.buffer, this.#rowOffset(slot), 1)[0] = scale;
    const values = this.#values(slot);
    let squared = 0;
    for (let i = 0; i < vector.length; i++) {
      const value = scale === 0 ? 0 : Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(vector[i]! / scale)));
      values[i] = value;
      squared += (vector[i]! - Math.fround(value * scale)) ** 2;
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
    ids.set(this.#ids.subarray(0, this.#slots.size));
    this.#ids = ids;
    const radii = new Float64Array(capacity);
    radii.set(this.#radii.subarray(0, this.#slots.size));
    this.#radii = radii;
    this.#capacity = capacity;
  }
}
