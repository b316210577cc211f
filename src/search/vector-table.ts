import { createL2Kernel, KERNEL_STEP_BYTES, webAssembly, type L2Kernel, type WasmMemory } from './l2-kernel.js';

const PAGE_BYTES = 65_536;
/** WebAssembly's 32-bit address space: 4 GiB. */
const MAX_TABLE_BYTES = 65_536 * PAGE_BYTES;

export class IndexCapacityError extends Error {
  override name = 'IndexCapacityError';
}

/**
 * Vectors of one space keyed by product id, packed in WebAssembly memory for
 * the distance kernel. Rows are unordered: a deletion moves the last row into
 * the gap. The first vector fixes the dimensions.
 *
 * Memory layout: the query (one row), then the rows, then one float32 per row
 * of scratch for the distances. Rows are padded with zeros to whole kernel
 * steps, which adds nothing to a distance.
 */
export class VectorTable {
  #dimensions = 0;
  #rowFloats = 0;
  #capacity = 0;
  #ids = new Int32Array(0);
  readonly #slots = new Map<number, number>();
  readonly #memory: WasmMemory;
  readonly #kernel: L2Kernel;
  readonly #maxPages: number;

  constructor(maxBytes = MAX_TABLE_BYTES) {
    this.#maxPages = Math.floor(maxBytes / PAGE_BYTES);
    this.#memory = new webAssembly.Memory({ initial: 1, maximum: this.#maxPages });
    this.#kernel = createL2Kernel(this.#memory);
  }

  get size(): number {
    return this.#slots.size;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** A copy: the table's own rows move as it changes. */
  vectorOf(id: number): Float32Array | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : this.#row(slot).slice(0, this.#dimensions);
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
    const row = this.#row(slot);
    row.set(vector);
    row.fill(0, this.#dimensions);
  }

  delete(id: number): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    const last = this.#slots.size - 1;
    if (slot !== last) {
      this.#row(slot).set(this.#row(last));
      this.#ids[slot] = this.#ids[last]!;
      this.#slots.set(this.#ids[slot]!, slot);
    }
    this.#slots.delete(id);
  }

  /**
   * Each row's squared distance to the query, computed in float32, beside the
   * row's product id. Both are views valid until the table next changes.
   */
  squaredDistances(query: Float32Array): { distances: Float32Array; ids: Int32Array } {
    const rowBytes = this.#rowFloats * 4;
    const out = rowBytes * (1 + this.#capacity);
    const count = this.#slots.size;
    if (count > 0) {
      if (query.length !== this.#dimensions) throw new Error(`a query of ${query.length} dimensions, the index has ${this.#dimensions}`);
      new Float32Array(this.#memory.buffer, 0, this.#dimensions).set(query);
      this.#kernel.squaredDistances(0, rowBytes, count, rowBytes, out);
    }
    return { distances: new Float32Array(this.#memory.buffer, out, count), ids: this.#ids.subarray(0, count) };
  }

  #fixDimensions(dimensions: number): void {
    this.#dimensions = dimensions;
    this.#rowFloats = Math.ceil((dimensions * 4) / KERNEL_STEP_BYTES) * (KERNEL_STEP_BYTES / 4);
  }

  /** Row 0 holds the query. */
  #row(slot: number): Float32Array {
    return new Float32Array(this.#memory.buffer, (slot + 1) * this.#rowFloats * 4, this.#rowFloats);
  }

  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    const capacity = Math.max(rows, Math.ceil(this.#capacity * 1.25), 1024);
    const bytes = (1 + capacity) * this.#rowFloats * 4 + capacity * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (pages > this.#maxPages) {
      throw new IndexCapacityError(`${capacity} vectors of ${this.#dimensions} dimensions need more than ${this.#maxPages * PAGE_BYTES} bytes`);
    }
    const current = this.#memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.#memory.grow(pages - current);
    const ids = new Int32Array(capacity);
    ids.set(this.#ids.subarray(0, this.#slots.size));
    this.#ids = ids;
    this.#capacity = capacity;
  }
}
