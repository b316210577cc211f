import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pauseIfLong, SLICE_MS } from '../../src/util/time-slice.js';

/** What /healthz may wait behind search work. */
const TURN_BOUND_MS = 50;

function busy(ms: number): void {
  for (const until = performance.now() + ms; performance.now() < until; );
}

/** Runs `loops` pieces of work at once, each in steps of 0.2 ms asking pauseIfLong between them, until a timer set at the start fires; when it did. */
async function timerDelayUnder(loops: number): Promise<number> {
  const began = performance.now();
  let fired: number | undefined;
  setTimeout(() => (fired = performance.now() - began), 0);
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (fired === undefined && performance.now() - began < 2000) {
        busy(0.2);
        await pauseIfLong();
      }
    }),
  );
  return fired ?? Infinity;
}

test('short work goes on without waiting, not even for a microtask', async () => {
  await nextTurn();
  assert.equal(pauseIfLong(), undefined);
});

test('a long piece of work lets a timer in once it has run a slice', async () => {
  await nextTurn();
  const delay = await timerDelayUnder(1);
  assert.ok(delay < TURN_BOUND_MS, `the timer waited ${delay.toFixed(0)} ms; a slice is ${SLICE_MS} ms`);
});

test('many pieces of work interleaved share one slice, rather than each taking its own', async () => {
  await nextTurn();
  const delay = await timerDelayUnder(30);
  assert.ok(delay < TURN_BOUND_MS, `the timer waited ${delay.toFixed(0)} ms behind 30 pieces of work`);
});
