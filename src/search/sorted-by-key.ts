import { pauseIfLong } from '../time-slice.js';

/** Items between two looks at the clock. */
const STEP = 1024;

/**
 * The items in ascending order of their keys, integers from 0 to
 * buckets - 1, and items of equal keys in the order given: a counting sort.
 * Being stable, passes by several keys, the least significant first, sort
 * by all of them. Each pass reads the items twice and pauses for the event
 * loop as it goes (time-slice.ts), where Array.prototype.sort would hold it
 * for the whole array.
 */
export async function sortedByKey(items: Int32Array, buckets: number, key: (item: number) => number): Promise<Int32Array> {
  const next = new Int32Array(buckets + 1);
  for (let i = 0; i < items.length; i++) {
    if (i % STEP === 0) await pauseIfLong();
    next[key(items[i]!) + 1]!++;
  }
  for (let bucket = 0; bucket < buckets; bucket++) next[bucket + 1]! += next[bucket]!;
  const sorted = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    if (i % STEP === 0) await pauseIfLong();
    const item = items[i]!;
    sorted[next[key(item)]!++] = item;
  }
  return sorted;
}
