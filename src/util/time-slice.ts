import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long work may hold the event loop before it lets other requests in:
 * well under the 50 ms a request that touches nothing (/healthz) may wait
 * behind it, and longer than a small catalog's whole query, which then
 * never pauses.
 */
export const SLICE_MS = 10;

/**
 * When the first check of the current turn ran, or undefined once the loop
 * has turned since. Shared by every caller: work of many requests
 * interleaves in microtasks without a turn, so only their sum says how long
 * the turn has been.
 */
let stretchBegan: number | undefined;
let turn: Promise<void> | undefined;

/**
 * Resolves on the event loop's next turn, after its I/O, once the work of
 * this turn has run SLICE_MS; undefined before, so that short work never
 * waits, not even for a microtask.
 */
export function pauseIfLong(): Promise<void> | undefined {
  const now = performance.now();
  if (stretchBegan === undefined) {
    stretchBegan = now;
    // Fires on the next turn, whoever else waits for it: a check after it starts a new stretch.
    setImmediate(() => (stretchBegan = undefined));
    return undefined;
  }
  if (now - stretchBegan < SLICE_MS) return undefined;
  turn ??= nextTurn().then(() => (turn = undefined));
  return turn;
}
