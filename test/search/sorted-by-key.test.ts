import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sortedByKey } from '../../src/search/sorted-by-key.js';
import { pauseIfLong, SLICE_MS } from '../../src/time-slice.js';
import { seededRandom } from '../../harness/vectors.js';

test('sorts by the key, equal keys in the order given, as a stable comparison sort does', async () => {
  const random = seededRandom(1);
  const items = Int32Array.from({ length: 5000 }, (_, i) => i * 3);
  const keys = new Map(Array.from(items, (item) => [item, Math.floor(random() * 40)]));
  const sorted = await sortedByKey(items, 40, (item) => keys.get(item)!);
  assert.deepEqual(Array.from(sorted), [...items].sort((a, b) => keys.get(a)! - keys.get(b)!));
});

test("passes by the low and the high half of float32 bits sort non-negative sums as Array.prototype.sort does, Infinity and ties included (the partition's filing)", async () => {
  const random = seededRandom(2);
  const sums = Float32Array.from({ length: 20_000 }, (_, i) => (i % 10 === 0 ? Infinity : i % 7 === 0 ? 0 : Math.fround(random() * 10 ** Math.floor(random() * 8 - 4))));
  sums.copyWithin(0, 10_000, 12_000);
  const bits = new Uint32Array(sums.buffer);
  const slots = Int32Array.from({ length: sums.length }, (_, i) => (i * 7919) % sums.length);
  const byLow = await sortedByKey(slots, 1 << 16, (slot) => bits[slot]! & 0xffff);
  const sorted = await sortedByKey(byLow, 1 << 16, (slot) => bits[slot]! >>> 16);
  assert.deepEqual(Array.from(sorted), [...slots].sort((a, b) => sums[a]! - sums[b]!));
});

test('pauses for the event loop as it goes, once the turn has run a slice', async () => {
  const items = Int32Array.from({ length: 100_000 }, (_, i) => 99_999 - i);
  let sorting = true;
  let turns = 0;
  await nextTurn();
  // Every turn has run its slice before the sort goes on.
  const ticker = (async () => {
    while (sorting) {
      pauseIfLong();
      for (const until = performance.now() + SLICE_MS + 1; performance.now() < until; );
      turns++;
      await nextTurn();
    }
  })();
  const sorted = await sortedByKey(items, 100_000, (item) => item);
  sorting = false;
  await ticker;
  assert.deepEqual(sorted, items.slice().reverse());
  // Two reads of the items, a pause every thousand or so.
  assert.ok(turns >= 150, `${turns} turns`);
});
