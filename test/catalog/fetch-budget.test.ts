import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FetchBudget } from '../../src/catalog/fetch-budget.js';
import { rejectsWith } from '../support/rejects-with.js';

/** A fetch that runs until the test ends it. */
function heldFetch(): { work: () => Promise<string>; started: () => boolean; finish(): void } {
  let started = false;
  let finish = () => {};
  return {
    work: () => {
      started = true;
      return new Promise<string>((resolve) => (finish = () => resolve('done')));
    },
    started: () => started,
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a request's fetches beyond its share of connections wait for its own, not for other requests'", async () => {
  const budget = new FetchBudget({ concurrency: 8, maxBytes: 1000 });
  assert.equal(budget.connectionShare, 2);
  const request = budget.lease({});
  const fetches = [heldFetch(), heldFetch(), heldFetch()];
  const running = fetches.map((fetch) => request.run(fetch.work));
  await settle();
  assert.deepEqual(fetches.map((fetch) => fetch.started()), [true, true, false]);
  fetches[0]!.finish();
  await settle();
  assert.ok(fetches[2]!.started());
  fetches[1]!.finish();
  fetches[2]!.finish();
  assert.deepEqual(await Promise.all(running), ['done', 'done', 'done']);
  assert.equal(budget.stats().fetching, 0);
});

test('a request that finds every connection taken answers TOO_BUSY at once, and fits once one is free', async () => {
  const budget = new FetchBudget({ concurrency: 4, maxBytes: 1000 });
  const holders = [heldFetch(), heldFetch(), heldFetch(), heldFetch()];
  const held = holders.map((fetch) => budget.lease({}).run(fetch.work));
  await settle();
  await rejectsWith(budget.lease({}).run(heldFetch().work), 'TOO_BUSY');
  holders[0]!.finish();
  await held[0];
  const late = heldFetch();
  const running = budget.lease({}).run(late.work);
  await settle();
  assert.ok(late.started());
  for (const fetch of [late, ...holders]) fetch.finish();
  await Promise.all([running, ...held]);
});

test("fetched bytes count against a request's quarter and the whole budget until released", () => {
  const budget = new FetchBudget({ concurrency: 8, maxBytes: 1000 });
  const signal = new AbortController().signal;
  const first = budget.lease(signal);
  const alias = budget.lease(signal);
  first.count(200);
  // Aliases of one request share its quarter.
  assert.throws(() => alias.count(51), (error: Error & { code?: string }) => error.code === 'TOO_BUSY');
  alias.count(50);
  const others = [budget.lease({}), budget.lease({}), budget.lease({})];
  for (const other of others) other.count(200);
  assert.throws(() => budget.lease({}).count(151), (error: Error & { code?: string }) => error.code === 'TOO_BUSY');
  first.release();
  alias.release();
  assert.equal(budget.stats().fetchedBytes, 600);
  budget.lease({}).count(250);
  assert.throws(() => first.count(1), (error: Error & { code?: string }) => error.code === 'REQUEST_ABORTED');
});
