import { BLOCK_ROWS } from './block-scan.js';

/**
 * What a scan and its helper thread share: an Int32Array of control words
 * and Float64Arrays of the blocks of the batches in flight, over
 * SharedArrayBuffers, so that a batch is handed over and collected without a
 * message or a turn of either event loop. Batches go out in two lanes, so
 * the helper starts the next while the scan takes the rows of the last.
 */

/** Blocks a batch holds at most: a few hundred microseconds of work, so the reach it was given stays close to the scan's. */
export const BATCH_BLOCKS = 4;
/** Rows a batch can write. */
export const BATCH_ROWS = BATCH_BLOCKS * BLOCK_ROWS;
/** Batches in flight at most. */
export const LANES = 2;

/** Indexes into the control words. */
export const Control = {
  /** Batches handed over so far: the scan bumps it, then notifies. Batch n goes in lane n % LANES. */
  posted: 0,
  /** Batches finished so far, in order: the helper bumps it, then notifies. */
  finished: 1,
  /** Which table's memory the batches read, and where its rows lie. */
  table: 2,
  rowsAt: 3,
  rowBytes: 4,
  columns: 5,
  /** Which table's memory the helper holds: 0 for none. */
  held: 6,
  /** 1 once the helper thread runs: until then scans read alone rather than wait for it to start. */
  ready: 7,
  /** Byte address of lane 0's sums: each lane has BATCH_ROWS float32s, the scratch for a block's slots follows them. */
  out: 8,
  /** Per lane, from here: the four words below. */
  lanes: 9,
  length: 9 + 4 * LANES,
} as const;

/** A lane's words, after Control.lanes + 4 · lane. */
export const Lane = {
  blocks: 0,
  /** Rows the finished batch wrote. */
  written: 1,
  /** 1 when the helper failed the batch; the scan reads its blocks itself. */
  failed: 2,
} as const;

/** Per block of a batch: its first slot, its end, and the bases it is read with (block-scan.ts, RowBases). */
export const BLOCK_FIELDS = 4;

export interface BatchChannel {
  control: Int32Array;
  /** Each lane's blocks, BATCH_BLOCKS · BLOCK_FIELDS numbers a lane. */
  blocks: Float64Array;
  /** The slot of each row a finished batch wrote, in order, BATCH_ROWS a lane. */
  slots: Int32Array;
}

export function batchChannel(): BatchChannel {
  return {
    control: new Int32Array(new SharedArrayBuffer(Control.length * 4)),
    blocks: new Float64Array(new SharedArrayBuffer(LANES * BATCH_BLOCKS * BLOCK_FIELDS * 8)),
    slots: new Int32Array(new SharedArrayBuffer(LANES * BATCH_ROWS * 4)),
  };
}

/** The index of one of a lane's words in the control words. */
export function laneWord(lane: number, word: number): number {
  return Control.lanes + 4 * lane + word;
}
