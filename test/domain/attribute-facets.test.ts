import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttributeFacetsCache, FACETS_TTL_MS, type AttributeFacet } from '../../src/domain/attribute-facets.js';

test('facets are counted once per TTL, a count in flight is shared, and a failed one is not kept', async () => {
  let now = 0;
  let counts = 0;
  let fail = false;
  const cache = new AttributeFacetsCache(async () => {
    counts++;
    if (fail) throw new Error('database away');
    return [] as AttributeFacet[];
  }, () => now);
  await Promise.all([cache.get(), cache.get()]);
  assert.equal(counts, 1);
  now += FACETS_TTL_MS - 1;
  await cache.get();
  assert.equal(counts, 1);
  now += 1;
  fail = true;
  await assert.rejects(cache.get());
  fail = false;
  await cache.get();
  assert.equal(counts, 3);
});

test('after a write through this process the next reader counts again, within the TTL', async () => {
  let counts = 0;
  const cache = new AttributeFacetsCache(async () => {
    counts++;
    return [] as AttributeFacet[];
  }, () => 0);
  await cache.get();
  cache.forget();
  await cache.get();
  await cache.get();
  assert.equal(counts, 2);
});
