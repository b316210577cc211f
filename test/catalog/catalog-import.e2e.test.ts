import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importProducts, type ImportItem, type ImportProgress, type ItemFailure } from '../../src/catalog/catalog-import.js';
import { ProductRefusal } from '../../src/catalog/product-refusal.js';
import { loadConfig } from '../../src/config.js';
import { createServices, type Services } from '../../src/services.js';
import { photoCatalog } from '../../harness/photo-catalog.js';

let services: Services;
let items: ImportItem[];

before(async () => {
  services = await createServices(loadConfig({ DATA_DIR: 'memory://', FEATURE_WORKERS: '2' }), () => {});
  items = (await photoCatalog(4, 3)).map((p) => ({ sku: p.sku, name: p.name, category: p.category ?? null, image: async () => p.image as Uint8Array }));
});
after(() => services?.close());

test('an interrupted import keeps its finished batches, and a rerun adds only the rest', async () => {
  const controller = new AbortController();
  const seen: ImportProgress[] = [];
  await assert.rejects(
    importProducts(services.catalog, items, {
      batchSize: 3,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(progress);
        controller.abort(new Error('interrupted'));
      },
    }),
    /interrupted/,
  );
  assert.deepEqual(seen, [{ total: 8, done: 3, added: 3, skipped: 0, failed: 0 }]);
  assert.equal(await services.catalog.countProducts(), 3);

  const rerun = await importProducts(services.catalog, items, { batchSize: 3 });
  assert.deepEqual(rerun, { total: 8, done: 8, added: 5, skipped: 3, failed: 0 });
  assert.equal(await services.catalog.countProducts(), 8);
  const again = await importProducts(services.catalog, items, { batchSize: 3 });
  assert.deepEqual(again, { total: 8, done: 8, added: 0, skipped: 8, failed: 0 });
});

test('an interrupted import stops after the batches in flight and counts them all', async () => {
  const before = await services.catalog.countProducts();
  const fresh = items.map((item) => ({ ...item, sku: `in-flight/${item.sku}` }));
  const controller = new AbortController();
  const seen: ImportProgress[] = [];
  await assert.rejects(
    importProducts(services.catalog, fresh, {
      batchSize: 3,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(progress);
        controller.abort(new Error('interrupted'));
      },
    }),
    /interrupted/,
  );
  // Both batches were in flight when the first finished; the rejection waited for the second.
  assert.equal(seen.at(-1)!.added, 6);
  assert.equal(await services.catalog.countProducts(), before + 6);
});

test('a batch size under 1 is refused before anything is imported', async () => {
  const before = await services.catalog.countProducts();
  for (const batchSize of [0, -1, 1.5]) {
    await assert.rejects(importProducts(services.catalog, items, { batchSize }), /batch size must be a positive integer/);
  }
  assert.equal(await services.catalog.countProducts(), before);
});

test('a rerun whose file names spell the skus decomposed (as some file systems do) skips the products already there', async () => {
  const composed = items.slice(0, 2).map((item, i) => ({ ...item, sku: `caf\u00e9/${i}` }));
  assert.deepEqual(await importProducts(services.catalog, composed, { batchSize: 2 }), { total: 2, done: 2, added: 2, skipped: 0, failed: 0 });
  const decomposed = composed.map((item) => ({ ...item, sku: item.sku.normalize('NFD') }));
  assert.deepEqual(await importProducts(services.catalog, decomposed, { batchSize: 2 }), { total: 2, done: 2, added: 0, skipped: 2, failed: 0 });
});

test('an item refused for its image fails alone, named with its code and reason; the rest of its batch is added', async () => {
  const batch = items.slice(0, 3).map((item) => ({ ...item, sku: `one-bad/${item.sku}` }));
  const damaged = { ...batch[1]!, image: async () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) };
  const unreadable = { ...batch[2]!, image: () => Promise.reject(new ProductRefusal('IMAGE_UNREADABLE', 'cannot read the file (EACCES)', undefined)) };
  const failures: ItemFailure[] = [];
  const before = await services.catalog.countProducts();
  const progress = await importProducts(services.catalog, [batch[0]!, damaged, unreadable], { batchSize: 3, onFailure: (failure) => failures.push(failure) });
  assert.deepEqual(progress, { total: 3, done: 3, added: 1, skipped: 0, failed: 2 });
  assert.deepEqual(failures.map(({ sku, code }) => [sku, code]).sort(), [[damaged.sku, 'INVALID_IMAGE'], [unreadable.sku, 'IMAGE_UNREADABLE']].sort());
  assert.doesNotMatch(failures.find((f) => f.code === 'INVALID_IMAGE')!.reason, /^input \d/, 'the reason without its place in the batch');
  assert.deepEqual((await services.catalog.findBySkus(batch.map((item) => item.sku))).map((p) => p.sku), [batch[0]!.sku]);
  assert.equal(await services.catalog.countProducts(), before + 1);
});
