import { pauseIfLong } from '../util/time-slice.js';
import { BLOCK_ROWS, readBlock, readRows, rowBases, type BlockOutput, type RowLayout } from './block-scan.js';
import type { Scan } from './candidates.js';
import type { Partition } from './partition.js';
import { PROJECTED, queryCoordinates } from './projection.js';
import type { RowStore } from './row-store.js';
import { BATCH_BLOCKS, BLOCK_FIELDS } from './scan-batch.js';
import { ScanHelper, type BatchRows, type UnreadBatch } from './scan-helper.js';

/** What a scan asks, with the rows scanned so far, before each chunk or block. */
export interface ScanLimits {
  /** The sum past which a row no longer matters (its scan may stop there); the rows scanned so far join the bound. */
  threshold(scanned: Required<Scan>): number;
  /**
   * How far from the scanned query y' a row that matters can truly be, R
   * (q included), as of the last threshold(); Infinity while unbounded. A
   * block's row of radius r no longer matters past (1 + γ)(R + r)² + A
   * (candidates.ts, "Stopped rows"), which the kernel works out per row.
   */
  reach(): number;
}

/**
 * When a scan shares its blocks with the helper thread: a table of at least
 * `minRows`, from its start: asking 1 ms in, as before, took 1.14-1.27x as
 * long at 70,000 and 100,000 rows and the same at a million, once a block
 * was one kernel call.
 */
export interface HelperUse {
  minRows: number;
}

export interface ScanOptions {
  /** Rows between two questions for a threshold, without a partition and in the tail. */
  scanChunk: number;
  help: HelperUse;
  /** Whether the helper may be claimed now: nothing else waits on the table. */
  alone: () => boolean;
}

/**
 * VectorTable.squaredDistances's scan (its comment says what it returns),
 * run while the caller holds the table. Without a partition it reads every
 * row in chunks; with one, the tail in chunks, then blocks nearest first
 * until the next is past the reach, part of them read by the helper thread
 * when the table is large and nothing waits behind the scan (scan-helper.ts).
 */
export async function scanTable(store: RowStore, partition: Partition | undefined, query: Float32Array, limits: ScanLimits | undefined, options: ScanOptions): Promise<Required<Scan>> {
  const out = store.scratchOffset();
  const count = partition ? store.size : store.used;
  const scan = {
    distances: new Float32Array(store.memory.buffer, out, count),
    ids: partition ? store.scanIds.subarray(0, count) : store.ids.subarray(0, count),
    categories: partition ? store.scanCategories.subarray(0, count) : store.categories.subarray(0, count),
    radii: partition ? store.scanRadii.subarray(0, count) : store.radii.subarray(0, count),
    maxRadius: store.maxRadius,
  };
  if (count === 0) return scan;
  if (query.length !== store.dimensions) throw new Error(`a query of ${query.length} dimensions, the index has ${store.dimensions}`);
  new Float32Array(store.memory.buffer, 0, store.dimensions).set(query);
  const output = { out, slots: store.scanSlots, blockSlots: new Int32Array(store.memory.buffer, out + store.capacity * 4, BLOCK_ROWS) };
  const layout = store.layout();
  const label = partition ? (from: number, to: number) => labelRows(store, scan, from, to) : (_from: number, to: number) => to;
  let read = 0;
  const readChunks = async (from: number, to: number) => {
    for (let chunk = from; chunk < to; chunk += options.scanChunk) {
      const pause = pauseIfLong();
      if (pause) await pause;
      const limit = limits ? limits.threshold(prefix(scan, read)) : Infinity;
      read = label(read, readRows(store.kernel, layout, chunk, Math.min(to, chunk + options.scanChunk), limit, output, read));
    }
  };
  if (!partition) {
    await readChunks(0, count);
    return scan;
  }
  await readChunks(partition.tailStart, store.used);
  const projected = new Float32Array(store.memory.buffer, store.columns * 4, PROJECTED);
  const querySlack = queryCoordinates(partition.projection, query, projected);
  const blocks = partition.visitOrder(projected, querySlack);
  const shares = count >= options.help.minRows;
  let helped: ScanHelper | undefined;
  const addBatch = (batch: BatchRows | UnreadBatch) => (read = label(read, takeBatch(store, layout, scan, read, batch, output)));
  try {
    while (blocks.nextKey !== Infinity) {
      const pause = pauseIfLong();
      if (pause) await pause;
      if (!helped && shares) helped = claimHelper(options);
      for (let done = helped?.poll(); done; done = helped!.poll()) addBatch(done);
      // The rows read so far bring the reach in before it is compared.
      if (limits) limits.threshold(prefix(scan, read));
      const reach = limits ? limits.reach() : Infinity;
      if (blocks.nextKey > reach) break;
      // Each block is read with the limits of the moment: the reach only falls as rows are read (candidates.ts).
      const bases = rowBases(reach, partition.projection.norm, querySlack);
      if (helped?.room && reach < Infinity) {
        const batch: number[] = [];
        while (batch.length < BATCH_BLOCKS * BLOCK_FIELDS && blocks.nextKey <= reach) {
          const block = blocks.take();
          const start = partition.starts[block]!;
          batch.push(start, start + partition.counts[block]!, bases.projected, bases.stop);
        }
        helped.post(store.id, store.memory, layout, store.helperOffset(), batch);
        continue;
      }
      const block = blocks.take();
      const start = partition.starts[block]!;
      read = label(read, readBlock(store.kernel, layout, start, start + partition.counts[block]!, bases, output, read));
    }
    while (helped?.pending) addBatch(helped.finish());
  } finally {
    helped?.release();
  }
  return { ...prefix(scan, read), maxRadius: store.maxRadius };
}

/** The process's helper thread for this scan, when nothing else waits on the table and no other scan holds it. */
function claimHelper(options: ScanOptions): ScanHelper | undefined {
  const helper = options.alone() ? ScanHelper.shared() : undefined;
  return helper?.claim() ? helper : undefined;
}

/** The helper's batch added to the scan after its first `read` rows, or read here if the helper could not; returns the rows read, their slots in the output's. */
function takeBatch(store: RowStore, layout: RowLayout, scan: Required<Scan>, read: number, batch: BatchRows | UnreadBatch, output: BlockOutput): number {
  if ('blocks' in batch) {
    const { blocks } = batch;
    for (let at = 0; at < blocks.length; at += BLOCK_FIELDS) {
      read = readBlock(store.kernel, layout, blocks[at]!, blocks[at + 1]!, { projected: blocks[at + 2]!, stop: blocks[at + 3]! }, output, read);
    }
    return read;
  }
  scan.distances.set(new Float32Array(store.memory.buffer, batch.out, batch.rows), read);
  output.slots.set(batch.slots.subarray(0, batch.rows), read);
  return read + batch.rows;
}

/** Fills in the ids, categories and radii of the scan's rows from..to by their slots; returns `to`. */
function labelRows(store: RowStore, scan: Required<Scan>, from: number, to: number): number {
  const slots = store.scanSlots;
  for (let at = from; at < to; at++) {
    const slot = slots[at]!;
    scan.ids[at] = store.ids[slot]!;
    scan.categories[at] = store.categories[slot]!;
    scan.radii[at] = store.radii[slot]!;
  }
  return to;
}

function prefix(scan: Required<Scan>, rows: number): Required<Scan> {
  return {
    ...scan,
    distances: scan.distances.subarray(0, rows),
    ids: scan.ids.subarray(0, rows),
    categories: scan.categories.subarray(0, rows),
    radii: scan.radii.subarray(0, rows),
  };
}
