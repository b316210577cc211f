import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { BLOCK_ROWS, readBlock } from './block-scan.js';
import { createL2Kernel, type L2Kernel, type WasmMemory } from './l2-kernel.js';
import { BATCH_BLOCKS, BATCH_ROWS, BLOCK_FIELDS, Control, Lane, laneWord, LANES, type BatchChannel } from './scan-batch.js';

/**
 * The scan helper's thread (scan-helper.ts): waits for batches of blocks,
 * reads them in order from the table's shared memory with the scan's own
 * kernel and limits, and says so. It holds one table's memory at a time,
 * and lets it go after a second without work, so that a table the service
 * dropped is not kept alive here.
 */
const { channel, tables } = workerData as { channel: BatchChannel; tables: MessagePort };
const { control, blocks, slots } = channel;
const IDLE_MS = 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));

let held: { table: number; kernel: L2Kernel; memory: WasmMemory } | undefined;
Atomics.store(control, Control.ready, 1);

for (;;) {
  // Batches posted before this thread started are read too.
  const finished = Atomics.load(control, Control.finished);
  if (Atomics.load(control, Control.posted) === finished) {
    if (Atomics.wait(control, Control.posted, finished, IDLE_MS) === 'timed-out') {
      held = undefined;
      Atomics.store(control, Control.held, 0);
    }
    continue;
  }
  const lane = (finished + 1) % LANES;
  let written = 0;
  let failed = 0;
  try {
    written = readBatch(kernelOf(control[Control.table]!), lane);
  } catch (error) {
    console.error('scan helper: a batch failed; the scan reads it itself', error);
    failed = 1;
  }
  control[laneWord(lane, Lane.written)] = written;
  control[laneWord(lane, Lane.failed)] = failed;
  Atomics.store(control, Control.finished, finished + 1);
  Atomics.notify(control, Control.finished);
}

/** The kernel over the batch's table: the scan sends the table's memory before it posts the table's first batch. */
function kernelOf(table: number): L2Kernel {
  while (held?.table !== table) {
    let message = receiveMessageOnPort(tables)?.message as { table: number; memory: WasmMemory } | undefined;
    // Sent before the batch, so it is there: the wait only guards against a slow delivery.
    for (let tries = 0; !message && tries < 50; tries++) {
      Atomics.wait(pause, 0, 0, 1);
      message = receiveMessageOnPort(tables)?.message as typeof message;
    }
    if (!message) throw new Error(`no memory for table ${table}`);
    held = { ...message, kernel: createL2Kernel(message.memory) };
    Atomics.store(control, Control.held, message.table);
  }
  return held.kernel;
}

function readBatch(kernel: L2Kernel, lane: number): number {
  const layout = { rowsAt: control[Control.rowsAt]!, rowBytes: control[Control.rowBytes]!, columns: control[Control.columns]! };
  const base = control[Control.out]!;
  const output = {
    out: base + lane * BATCH_ROWS * 4,
    slots: slots.subarray(lane * BATCH_ROWS, (lane + 1) * BATCH_ROWS),
    blockSlots: new Int32Array(held!.memory.buffer, base + LANES * BATCH_ROWS * 4, BLOCK_ROWS),
  };
  const laneBlocks = blocks.subarray(lane * BATCH_BLOCKS * BLOCK_FIELDS);
  let at = 0;
  for (let block = 0; block < control[laneWord(lane, Lane.blocks)]!; block++) {
    const [start, end, projected, stop] = laneBlocks.subarray(block * BLOCK_FIELDS, (block + 1) * BLOCK_FIELDS);
    at = readBlock(kernel, layout, start!, end!, { projected: projected!, stop: stop! }, output, at);
  }
  return at;
}
