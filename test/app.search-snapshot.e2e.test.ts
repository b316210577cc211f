import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { Store } from '../src/db/store.js';
import { ExactSearch } from '../src/search/exact-search.js';
import { IndexSnapshots } from '../src/search/index-snapshot.js';
import { startApi } from '../harness/api-process.js';
import { startDatabaseServer } from '../harness/database-server.js';
import { graphql } from '../harness/graphql-client.js';
import { newProduct } from '../harness/catalog-fixtures.js';
import { randomVector, seededRandom } from '../harness/vectors.js';

const SIMILAR = `query ($id: ID!) { similarProducts(id: $id, k: 4) { neighbours { distance product { id } } } }`;

// A replica restarting next to others that keep writing: it starts from the
// snapshot its last run left, and serves what the others wrote meanwhile.
test('a process started on its snapshot while another process writes serves every write, answering as pgvector does', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lookalike-snapshot-db-'));
  const snapshotDir = await mkdtemp(join(tmpdir(), 'lookalike-snapshot-dir-'));
  const server = await startDatabaseServer(dataDir);
  const database = await openDatabase({ databaseUrl: server.url, databasePoolSize: 2, pgliteDataDir: 'memory://' });
  const random = seededRandom(77);
  try {
    await migrate(database.db);
    const writer = new Store(database.db);
    const ids = (await writer.products.insertMany(Array.from({ length: 30 }, (_, i) => newProduct(`p${i}`, randomVector(random, 2048))))).map((p) => p.id);
    // The snapshot a previous run of the service left, of the raw features space.
    const previous = new ExactSearch(writer.search, undefined, new IndexSnapshots(snapshotDir));
    await previous.warm();
    await previous.saveSnapshot();

    const api = startApi({ DATABASE_URL: server.url, DATABASE_POOL_SIZE: '2', SEARCH_SNAPSHOT_DIR: snapshotDir });
    try {
      // Writes go on while it starts, and a few after it is ready.
      let ready = false;
      void api.ready.then(() => (ready = true), () => {});
      const deleted: number[] = [];
      for (let i = 0, after = 0; after < 3; i++) {
        const [added] = await writer.products.insertMany([newProduct(`w${i}`, randomVector(random, 2048))]);
        ids.push(added!.id);
        if (i % 3 === 2) {
          const gone = ids.splice(Math.floor(random() * ids.length), 1)[0]!;
          await writer.products.delete(gone);
          deleted.push(gone);
        }
        if (ready) after++;
        if (!api.running()) break;
        await sleep(100);
      }
      const url = await api.ready;
      assert.match(api.lines.join('\n'), /search index read from its snapshot at generation \d+/);

      // The products written last, and a sample of the rest.
      const checked = [...ids.slice(-5), ...ids.slice(0, -5).filter(() => random() < 0.3)];
      for (const id of checked) {
        const { data, errors } = await graphql(url, SIMILAR, { id: String(id) });
        assert.equal(errors, undefined);
        const expected = await writer.search.nearest(null, (await writer.search.vectorOf(null, id))!, 4, undefined, id);
        assert.deepEqual(
          data.similarProducts.neighbours.map((n: { distance: number; product: { id: string } }) => [Number(n.product.id), n.distance]),
          expected.map((n) => [n.product.id, n.distance]),
          `product ${id}`,
        );
      }
      for (const id of deleted.slice(-10)) {
        const { errors } = await graphql(url, SIMILAR, { id: String(id) });
        assert.equal(errors?.[0]?.extensions?.code, 'NOT_FOUND');
      }
    } finally {
      await api.stop();
    }
    // Stopping wrote the index as its last queries left it, at the database's generation, and no temporary file.
    const { generation, origin } = await writer.search.stateWithOrigin();
    const written = await new IndexSnapshots(snapshotDir).restore(null, origin, generation);
    assert.equal(written?.generation, generation);
    assert.equal(written.table.size, ids.length);
    assert.deepEqual((await readdir(snapshotDir)).filter((name) => name.endsWith('.tmp')), []);
  } finally {
    await database.close();
    await server.kill();
    await rm(dataDir, { recursive: true, force: true });
    await rm(snapshotDir, { recursive: true, force: true });
  }
});
