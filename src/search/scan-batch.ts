import { BLOCK_ROWS } from './block-scan.js';

/**
 * What a scan and its helper thread share: an Int32Array of control words
 * and a Float64Array of the blocks of the batch in flight, both over
 * SharedArrayBuffers, so that a batch is handed over and collected without a
 * message or a turn of either event loop.
 */

/** Blocks a batch holds at most: a few hundred microseconds of work, so the reach it was given stays close to the scan's. */
export const BATCH_BLOCKS = 8;
/** Rows a batch can write. */
export const BATCH_ROWS = BATCH_BLOCKS * BLOCK_ROWS;

/** Indexes into the control words. */
export const Control = {
  /** The batch handed over last: the scan bumps it, then notifies. */
  posted: 0,
  /** The batch finished last: the helper sets it to `posted`, then notifies. */
  finished: 1,
  /** 1 once the helper failed a batch; the scan reads that batch itself. */
  failed: 2,
  /** Rows the finished batch wrote. */
  written: 3,
  /** Which table's memory the batch reads. */
  table: 4,
  blocks: 5,
  rowsAt: 6,
  rowBytes: 7,
  columns: 8,
  /** Byte address of the batch's sums; the projected sums' scratch follows them. */
  out: 9,
  /** Which table's memory the helper holds: 0 for none. */
  held: 10,
  /** 1 once the helper thread runs: until then scans read alone rather than wait for it to start. */
  ready: 11,
  length: 12,
} as const;

/** Per block of a batch: its first slot, its end, the projected limit and the stop it is read with. */
export const BLOCK_FIELDS = 4;

export interface BatchChannel {
  control: Int32Array;
  blocks: Float64Array;
  /** The slot of each row the finished batch wrote, in order. */
  slots: Int32Array;
}

export function batchChannel(): BatchChannel {
  return {
    control: new Int32Array(new SharedArrayBuffer(Control.length * 4)),
    blocks: new Float64Array(new SharedArrayBuffer(BATCH_BLOCKS * BLOCK_FIELDS * 8)),
    slots: new Int32Array(new SharedArrayBuffer(BATCH_ROWS * 4)),
  };
}
