import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { BLOCK_ROWS, readBlock } from './block-scan.js';
import { createL2Kernel, type L2Kernel, type WasmMemory } from './l2-kernel.js';
import { BATCH_ROWS, BLOCK_FIELDS, Control, type BatchChannel } from './scan-batch.js';

/**
 * The scan helper's thread (scan-helper.ts): waits for a batch of blocks,
 * reads them from the table's shared memory with the scan's own kernel and
 * limits, and says so. It holds one table's memory at a time, and lets it go
 * after a second without work, so that a table the service dropped is not
 * kept alive here.
 */
const { channel, tables } = workerData as { channel: BatchChannel; tables: MessagePort };
const { control, blocks, slots } = channel;
const IDLE_MS = 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));

let held: { table: number; kernel: L2Kernel; memory: WasmMemory } | undefined;
/** The last batch finished: one posted before this thread started is read too. */
let seen = Atomics.load(control, Control.finished);
Atomics.store(control, Control.ready, 1);

for (;;) {
  if (Atomics.wait(control, Control.posted, seen, IDLE_MS) === 'timed-out') {
    held = undefined;
    Atomics.store(control, Control.held, 0);
    continue;
  }
  seen = Atomics.load(control, Control.posted);
  let written = 0;
  let failed = 0;
  try {
    written = readBatch(kernelOf(control[Control.table]!));
  } catch (error) {
    console.error('scan helper: a batch failed; the scan reads it itself', error);
    failed = 1;
  }
  control[Control.written] = written;
  control[Control.failed] = failed;
  Atomics.store(control, Control.finished, seen);
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

function readBatch(kernel: L2Kernel): number {
  const layout = { rowsAt: control[Control.rowsAt]!, rowBytes: control[Control.rowBytes]!, columns: control[Control.columns]! };
  const out = control[Control.out]!;
  const output = { out, slots, projectedSums: new Float32Array(held!.memory.buffer, out + BATCH_ROWS * 4, BLOCK_ROWS) };
  let at = 0;
  for (let block = 0; block < control[Control.blocks]!; block++) {
    const [start, end, projectedLimit, stop] = blocks.subarray(block * BLOCK_FIELDS, (block + 1) * BLOCK_FIELDS);
    at = readBlock(kernel, layout, start!, end!, projectedLimit!, stop!, output, at);
  }
  return at;
}
