import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { neighbourFilter } from '../../src/domain/neighbour-filter.js';
import { ExactSearch } from '../../src/search/exact-search.js';
import { DATABASE_KINDS } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { activate, createVersion, newProduct } from '../../harness/catalog-fixtures.js';
import { openTwoProcesses, type TwoProcesses } from './two-processes.js';
import type { EmbeddingSpace } from '../../src/domain/embedding-space.js';

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch on ${kind} follows the catalog as another process changes it`, () => {
    let processes: TwoProcesses;
    let search: ExactSearch;
    let ids: number[];
    let firstVersion: number;
    const random = seededRandom(31);

    /** Searches a product and checks the answer against the plain pgvector query, as the writer sees the database. */
    async function similarTo(productId: number, space: EmbeddingSpace, k = 6) {
      const found = await search.similarTo(productId, k);
      const { writer } = processes;
      const query = space === null ? await writer.search.vectorOf(null, productId) : await writer.search.vectorOf(space, productId);
      const expected = await writer.search.nearest(space, query!, k, undefined, productId);
      assert.equal(found?.space, space);
      assert.deepEqual(found.neighbours, expected);
      return found.neighbours;
    }

    const embeddingsOf = (productIds: number[]) => new Map(productIds.map((id) => [id, randomVector(random, 512)]));

    before(async () => {
      processes = await openTwoProcesses(kind);
      const products = await processes.writer.products.insertMany(
        Array.from({ length: 30 }, (_, i) => newProduct(`p${i}`, randomVector(random, 2048))),
      );
      ids = products.map((p) => p.id);
      search = new ExactSearch(processes.reader.search);
      await similarTo(ids[0]!, null);
    });
    after(() => processes.close());

    test('sees a product another process adds, and forgets it once deleted', async () => {
      const { writer } = processes;
      const [twin] = await writer.products.insertMany([newProduct('twin', (await writer.search.vectorOf(null, ids[0]!))!)]);
      const withTwin = await similarTo(ids[0]!, null, 3);
      assert.deepEqual([withTwin[0]!.product.id, withTwin[0]!.distance], [twin!.id, 0]);

      await writer.products.delete(twin!.id);
      const without = await similarTo(ids[0]!, null, 3);
      assert.ok(without.every((n) => n.product.id !== twin!.id));
      assert.equal(await search.similarTo(twin!.id, 3), undefined);
    });

    test('moves to a model version another process activates, with the products added under it', async () => {
      const { writer } = processes;
      firstVersion = await createVersion(writer, embeddingsOf(ids));
      await activate(writer, firstVersion);
      await similarTo(ids[2]!, firstVersion);

      // As addProducts stores a product once a version is active: with its embedding, in one transaction.
      const added = await writer.transaction(async (repositories) => {
        await repositories.products.lockCatalog();
        const [product] = await repositories.products.insertMany([newProduct('late', randomVector(random, 2048))]);
        const embedding = (await repositories.search.vectorOf(firstVersion, ids[2]!))!;
        await repositories.embeddings.insertMany(firstVersion, [{ productId: product!.id, embedding, predictedCategory: 'a' }]);
        return product!;
      });
      const nearest = await similarTo(ids[2]!, firstVersion, 1);
      assert.deepEqual([nearest[0]!.product.id, nearest[0]!.distance], [added.id, 0]);
      ids.push(added.id);
    });

    test('keeps to the active version while the next one fills, then switches', async () => {
      const { writer } = processes;
      const secondVersion = await createVersion(writer, embeddingsOf(ids));
      await similarTo(ids[3]!, firstVersion);
      await activate(writer, secondVersion);
      await similarTo(ids[3]!, secondVersion);
      await similarTo(ids.at(-1)!, secondVersion);
    });

    test('ranks a query embedded in a version another process has just activated with the index of that version, not a scan', async () => {
      const { writer, reader } = processes;
      const version = await createVersion(writer, embeddingsOf(ids));
      await activate(writer, version);
      let scans = 0;
      const scan = reader.search.nearest.bind(reader.search);
      reader.search.nearest = (...args) => (scans++, scan(...args));
      try {
        const query = randomVector(random, 512);
        assert.deepEqual(await search.nearest(version, query, 6), await writer.search.nearest(version, query, 6));
        assert.equal(scans, 0);
      } finally {
        reader.search.nearest = scan;
      }
    });

    test('sees a product another process updates: its new image and its new category, filters included', async () => {
      const { writer, reader } = processes;
      const space = (await reader.search.state()).activeSpace;
      const rare = neighbourFilter({ categories: ['rare'] }, undefined);
      assert.deepEqual((await search.similarTo(ids[4]!, 6, rare))?.neighbours, []);
      // As updateProduct stores a new image and category: the active embedding replaced in the same transaction.
      const embedding = (await writer.search.vectorOf(space!, ids[4]!))!;
      await writer.transaction(async (repositories) => {
        await repositories.products.lockCatalog();
        const image = { thumbnail: new Uint8Array([2]), imageWidth: 1, imageHeight: 1, features: randomVector(random, 2048) };
        await repositories.products.update(ids[5]!, { category: 'Rare', image });
        await repositories.embeddings.deleteOf([ids[5]!]);
        await repositories.embeddings.insertMany(space!, [{ productId: ids[5]!, embedding, predictedCategory: 'a' }]);
      });
      const nearest = await similarTo(ids[4]!, space, 1);
      assert.deepEqual([nearest[0]!.product.id, nearest[0]!.distance], [ids[5], 0]);
      assert.deepEqual((await search.similarTo(ids[4]!, 6, rare))?.neighbours.map((n) => [n.product.id, n.distance]), [[ids[5], 0]]);
    });
  });
}
