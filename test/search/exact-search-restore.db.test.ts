import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExactSearch } from '../../src/search/exact-search.js';
import { DATABASE_KINDS } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { newProduct } from '../../harness/catalog-fixtures.js';
import { openTwoProcesses, type TwoProcesses } from './two-processes.js';

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch on ${kind} after the database went back to an earlier generation`, () => {
    let processes: TwoProcesses;
    const random = seededRandom(7);

    before(async () => {
      processes = await openTwoProcesses(kind);
    });
    after(() => processes.close());

    test('reloads its index instead of applying a change log that no longer continues it', async () => {
      const { writer, reader } = processes;
      const products = await writer.products.insertMany(Array.from({ length: 20 }, (_, i) => newProduct(`p${i}`, randomVector(random, 2048))));
      const query = products[0]!;
      for (let i = 0; i < 3; i++) await writer.products.insertMany([newProduct(`late${i}`, randomVector(random, 2048))]);
      const search = new ExactSearch(reader.search);
      await search.similarTo(query.id, 6);

      // As a restore from a backup taken two changes ago would leave it:
      // the generation back by two (the restored rows are beside the point).
      await processes.operator('update search_generation set generation = generation - 2');
      // The first request after the database came back sees the lower generation.
      await search.similarTo(query.id, 6);
      // New writes take generations the index believes it has applied already.
      const features = (await writer.search.vectorOf(null, query.id))!;
      const twins = [];
      for (let i = 0; i < 3; i++) twins.push(...(await writer.products.insertMany([newProduct(`twin${i}`, features)])));

      const found = await search.similarTo(query.id, 3);
      assert.deepEqual(
        found?.neighbours.map((n) => [n.product.id, n.distance]),
        twins.map((twin) => [twin.id, 0]),
      );
    });
  });
}
