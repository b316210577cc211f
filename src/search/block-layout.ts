import { pauseIfLong } from '../util/time-slice.js';

/** Rows a range's widest coordinate and median are judged on. */
const SAMPLE = 64;
/** Rows a split moves between two looks at the clock. */
const STEP = 4096;

/**
 * Orders `slots` in place so that runs of at most `blockRows` lie close
 * together: a range too large for a block is split in two along the
 * coordinate it spreads widest on, at that coordinate's median, both judged
 * on a sample, until every range fits (a k-d tree's leaves, in order).
 * Returns where each run starts; the last ends at the array's end. Pauses
 * for the event loop as it goes.
 */
export async function layOutBlocks(slots: Int32Array, coordinate: (slot: number, axis: number) => number, axes: number, blockRows: number): Promise<number[]> {
  const starts: number[] = [];
  const pending: [number, number][] = [[0, slots.length]];
  while (pending.length > 0) {
    const [from, to] = pending.pop()!;
    if (to - from <= blockRows) {
      if (to > from) starts.push(from);
      continue;
    }
    const { axis, median } = widestAxis(slots, from, to, coordinate, axes);
    let middle = await splitAt(slots, from, to, (slot) => coordinate(slot, axis) < median);
    // A range whose sample cannot tell its rows apart (copies) is halved as it lies.
    if (middle === from || middle === to) middle = (from + to) >> 1;
    // Right first: the stack hands the left half back next, so runs come out in order.
    pending.push([middle, to], [from, middle]);
  }
  return starts;
}

function widestAxis(slots: Int32Array, from: number, to: number, coordinate: (slot: number, axis: number) => number, axes: number): { axis: number; median: number } {
  const stride = Math.max(1, Math.floor((to - from) / SAMPLE));
  let axis = 0;
  let widest = -1;
  for (let j = 0; j < axes; j++) {
    let low = Infinity;
    let high = -Infinity;
    for (let i = from; i < to; i += stride) {
      const value = coordinate(slots[i]!, j);
      if (value < low) low = value;
      if (value > high) high = value;
    }
    if (high - low > widest) [axis, widest] = [j, high - low];
  }
  const values: number[] = [];
  for (let i = from; i < to; i += stride) values.push(coordinate(slots[i]!, axis));
  values.sort((a, b) => a - b);
  return { axis, median: values[values.length >> 1]! };
}

/** Moves the slots that pass `left` before the others (quicksort's partition); returns the first of the others. */
async function splitAt(slots: Int32Array, from: number, to: number, left: (slot: number) => boolean): Promise<number> {
  let i = from;
  let j = to - 1;
  let moved = 0;
  while (i <= j) {
    if (++moved % STEP === 0) await pauseIfLong();
    if (left(slots[i]!)) {
      i++;
    } else {
      const kept = slots[i]!;
      slots[i] = slots[j]!;
      slots[j--] = kept;
    }
  }
  return i;
}
