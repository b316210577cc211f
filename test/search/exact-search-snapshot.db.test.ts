import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExactSearch } from '../../src/search/exact-search.js';
import { IndexSnapshots } from '../../src/search/index-snapshot.js';
import { DATABASE_KINDS } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { activate, createShuffledVersion, createVersion, newProduct } from '../../harness/catalog-fixtures.js';
import { openTwoProcesses, type TwoProcesses } from './two-processes.js';

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch on ${kind} starts from its snapshot and catches up with what another process wrote meanwhile`, () => {
    let processes: TwoProcesses;
    let dir: string;
    let version: number;
    let ids: number[];
    const random = seededRandom(57);

    /** A process starting: a search of its own over the reader's connection, on the snapshot folder; returns it and what it logged. */
    async function start() {
      const lines: string[] = [];
      const search = new ExactSearch(processes.reader.search, undefined, new IndexSnapshots(dir, (line) => lines.push(line)));
      await search.warm();
      return { search, lines };
    }

    /** Every product's neighbours, as the search answers and as pgvector's exact ORDER BY does on the writer's side. */
    async function assertExact(search: ExactSearch, space: number) {
      for (const id of ids) {
        const found = await search.similarTo(id, 5);
        const query = await processes.writer.search.vectorOf(space, id);
        assert.ok(query, `product ${id} has an embedding`);
        assert.deepEqual(found, { space, neighbours: await processes.writer.search.nearest(space, query, 5, undefined, id) }, `product ${id}`);
      }
    }

    before(async () => {
      processes = await openTwoProcesses(kind);
      dir = await mkdtemp(join(tmpdir(), 'lookalike-exact-snapshot-'));
      const products = await processes.writer.products.insertMany(Array.from({ length: 40 }, (_, i) => newProduct(`p${i}`, randomVector(random, 2048))));
      ids = products.map((p) => p.id);
      version = await createVersion(processes.writer, new Map(ids.map((id) => [id, randomVector(random, 512)])));
      await activate(processes.writer, version);
    });
    after(async () => {
      await processes.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('reads its snapshot, applies the products added, changed and deleted since, and answers as pgvector does', async () => {
      const first = await start();
      await first.search.saveSnapshot();

      const { writer } = processes;
      const added = await writer.transaction(async (repositories) => {
        await repositories.products.lockCatalog();
        const [product] = await repositories.products.insertMany([newProduct('added', randomVector(random, 2048))]);
        await repositories.embeddings.insertMany(version, [{ productId: product!.id, embedding: randomVector(random, 512), predictedCategory: 'a' }]);
        return product!;
      });
      // Product 2 becomes product 1's twin; product 3 goes.
      await processes.operator(
        `update embeddings e set embedding = o.embedding from embeddings o where e.product_id = ${ids[2]} and o.product_id = ${ids[1]} and e.model_version_id = o.model_version_id`,
      );
      await writer.products.delete(ids[3]!);
      const deleted = ids.splice(3, 1)[0]!;
      ids.push(added.id);

      const second = await start();
      assert.match(second.lines.join('\n'), /search index read from its snapshot at generation \d+/);
      assert.equal(second.search.indexedProducts, ids.length);
      await assertExact(second.search, version);
      const twin = await second.search.similarTo(ids[1]!, 1);
      assert.deepEqual([twin?.neighbours[0]?.product.id, twin?.neighbours[0]?.distance], [ids[2], 0]);
      assert.equal(await second.search.similarTo(deleted, 5), undefined);
    });

    test('ignores the snapshot once another version is active, and loads that version’s space', async () => {
      const first = await start();
      await first.search.saveSnapshot();
      const next = await createShuffledVersion(processes.writer, random, ids);
      await activate(processes.writer, next);

      const second = await start();
      assert.doesNotMatch(second.lines.join('\n'), /read from its snapshot/);
      await assertExact(second.search, next);
      version = next;
    });

    test('ignores a snapshot from past the database’s generation: the database went back', async () => {
      const first = await start();
      await first.search.saveSnapshot();
      await processes.operator('update search_generation set generation = generation - 1');

      const second = await start();
      assert.match(second.lines.join('\n'), /snapshot ignored: at generation \d+, past the database's/);
      await assertExact(second.search, version);
    });
  });
}
