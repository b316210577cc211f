import { setImmediate as nextTurn } from 'node:timers/promises';
import { pauseIfLong } from '../util/time-slice.js';
import { layOutBlocks } from './block-layout.js';
import { Boxes } from './box-kernel.js';
import { Partition } from './partition.js';
import { emptyCoordinates, fitProjection, PROJECTED, quantizeCoordinates, rowWidening, sampleRows, type Projection } from './projection.js';
import { TAIL, type RowStore } from './row-store.js';

/** Rows the filing step handles between two looks at the clock. */
const PERMUTE_STEP = 1024;

/**
 * One partition build of a table (VectorTable.partition says what it
 * does), from the rows present when it begins. Meanwhile the table takes
 * writes and tells the build (unassign, moveAssignment): per slot, whether
 * the row changed since the build began, and its sum to every pivot, at
 * pivot·rows + slot. Changed rows go to the tail.
 */
export class PartitionBuild {
  readonly #rows: number;
  /** Slots the pass of the current pivot has summed. */
  #passed = 0;
  readonly #changed: Uint8Array;
  #sums = new Float32Array(0);

  constructor(
    private readonly store: RowStore,
    /** Runs a step holding the table: VectorTable.exclusive. */
    private readonly exclusive: <T>(work: () => T | Promise<T>) => Promise<T>,
    private readonly chunkRows: number,
  ) {
    this.#rows = store.used;
    this.#changed = new Uint8Array(this.#rows);
  }

  /** Builds the partition and hands it to `install` in the step that files the rows, holding the table. */
  async run(blockRows: number, random: () => number, install: (partition: Partition) => void): Promise<void> {
    const store = this.store;
    const rows = this.#rows;
    await pauseIfLong();
    // The rows as they are now: any map serves (σ is proven for the one fitted), and a write from here on is tracked.
    const sample = sampleRows(rows, store.size, random, (slot) => store.slots.get(store.ids[slot]!) === slot).map((slot) => store.vectorAt(slot));
    const projection = await fitProjection(sample, store.dimensions, random);
    const pivotCount = projection.pivots.length / store.dimensions;
    this.#sums = new Float32Array(rows * pivotCount);
    for (let g = 0; g < pivotCount; g++) {
      await nextTurn();
      this.#passed = 0;
      while (this.#passed < rows) {
        await this.exclusive(() => this.#sumChunk(projection.pivots, g));
        await pauseIfLong();
      }
    }
    await this.exclusive(async () => install(await this.#file(projection, blockRows)));
  }

  /** The row at `slot` changed: it goes to the tail. */
  unassign(slot: number): void {
    if (slot < this.#rows) this.#changed[slot] = 1;
  }

  /** The row at `from` moved to `to`, a deletion's gap. */
  moveAssignment(from: number, to: number): void {
    const rows = this.#rows;
    if (to >= rows) return;
    // The current pass has summed `to` but not `from`: `to` would keep a sum that is not its row's.
    if (from >= rows || (from >= this.#passed && to < this.#passed)) {
      this.#changed[to] = 1;
      return;
    }
    this.#changed[to] = this.#changed[from]!;
    for (let at = 0; at < this.#sums.length; at += rows) this.#sums[at + to] = this.#sums[at + from]!;
  }

  /** One chunk of pivot g's pass: the sums of the next rows to the pivot. Rows past those present at the start are new: the tail takes them. */
  #sumChunk(pivots: Float32Array, g: number): void {
    const store = this.store;
    const dimensions = store.dimensions;
    const rows = this.#rows;
    const from = this.#passed;
    const to = Math.min(rows, from + this.chunkRows);
    const out = store.scratchOffset();
    // A scan may have run since the last chunk: the query slot holds its query.
    new Float32Array(store.memory.buffer, 0, dimensions).set(pivots.subarray(g * dimensions, (g + 1) * dimensions));
    store.kernel.quantizedSquaredDistances(0, store.rowOffset(from), to - from, store.rowBytes, out, store.columns, Infinity);
    this.#sums.set(new Float32Array(store.memory.buffer, out, to - from), g * rows + from);
    this.#passed = to;
  }

  /**
   * The last step: writes every unchanged row's projected coordinates, lays
   * the rows out in blocks (block-layout.ts) and files them, in place,
   * holding the table: scans and writes wait for it, while it pauses for the
   * event loop as it goes.
   */
  async #file(projection: Projection, blockRows: number): Promise<Partition> {
    const store = this.store;
    const rows = this.#rows;
    const filed: number[] = [];
    const tail: number[] = [];
    let seen = 0;
    for (const slot of store.slots.values()) {
      if (++seen % PERMUTE_STEP === 0) await pauseIfLong();
      if (slot < rows && this.#changed[slot] === 0) filed.push(slot);
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
      ({ scale: scales[slot], slack: slacks[slot] } = quantizeCoordinates(projection.coordinatesFromSums(this.#sums, rows, slot, estimate), values, at, coordinates, at));
    }
    const starts = await layOutBlocks(slots, (slot, axis) => coordinates[slot * PROJECTED + axis]!, PROJECTED, blockRows);
    const blocks = starts.length;
    const counts = new Int32Array(blocks);
    // Filled where the box kernel reads them.
    const boxes = new Boxes(blocks);
    const { low, high } = boxes;
    low.fill(Infinity);
    high.fill(-Infinity);
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
        radius[block] = Math.max(radius[block]!, store.radii[slot]!);
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
      // The row has moved to `slot`, its radius with it.
      store.writeProjection(slot, values, from * PROJECTED, scales[from]!, slacks[from]!, rowWidening(projection.norm, store.radii[slot]!, slacks[from]!));
    }
    store.used = order.length;
    store.blockOf.fill(TAIL);
    for (let block = 0; block < blocks; block++) store.blockOf.fill(block, starts[block]!, starts[block]! + counts[block]!);
    return new Partition(projection, Int32Array.from(starts), counts, boxes, slack, radius, tailStart);
  }

  /**
   * Moves the row at slot order[i] to slot i by swaps, pausing for the event
   * loop between them: after each swap every row lies whole in the slot its
   * id names, so vectorOf, radiusOf and image() stay true during a pause.
   * Slot i holds a hole a deletion left when its id names another slot.
   */
  async #permute(order: Int32Array): Promise<void> {
    const store = this.store;
    // A loop: Int32Array.from with a mapping took 116 ms at a million rows.
    const wanted = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) wanted[i] = store.ids[order[i]!]!;
    const memory = new Uint8Array(store.memory.buffer);
    const rowBytes = store.rowBytes;
    const spare = new Uint8Array(rowBytes);
    // The arrays are read from the store at each use: a write while the step pauses may grow them.
    for (let i = 0; i < wanted.length; i++) {
      if (i % PERMUTE_STEP === 0) await pauseIfLong();
      const id = wanted[i]!;
      const from = store.slots.get(id)!;
      if (from === i) continue;
      const [here, there] = [store.rowOffset(i), store.rowOffset(from)];
      const [category, radius] = [store.categories[from]!, store.radii[from]!];
      const held = store.ids[i]!;
      if (store.slots.get(held) === i) {
        spare.set(memory.subarray(here, here + rowBytes));
        memory.copyWithin(here, there, there + rowBytes);
        memory.set(spare, there);
        store.ids[from] = held;
        store.categories[from] = store.categories[i]!;
        store.radii[from] = store.radii[i]!;
        store.slots.set(held, from);
      } else {
        memory.copyWithin(here, there, there + rowBytes);
      }
      store.ids[i] = id;
      store.categories[i] = category;
      store.radii[i] = radius;
      store.slots.set(id, i);
    }
  }
}
