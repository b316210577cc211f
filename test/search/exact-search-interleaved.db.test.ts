import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AttributeConditionInput } from '../../src/domain/attribute-condition.js';
import { neighbourFilter } from '../../src/domain/neighbour-filter.js';
import type { Database } from '../../src/db/database.js';
import { SearchRepository } from '../../src/db/search.repository.js';
import { Store } from '../../src/db/store.js';
import { toVector } from '../../src/db/vector.js';
import { ExactSearch } from '../../src/search/exact-search.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { hardVectors, newProduct } from '../../harness/catalog-fixtures.js';

const PRODUCTS = 80;
const K = 6;

/** The search's repository, with a write slipped in between a scan and the statement that ranks its candidates, as another process's would land. */
class WriteBeforeRanking extends SearchRepository {
  pending: (() => Promise<void>) | undefined;
  statements = 0;

  override async nearestAmong(...args: Parameters<SearchRepository['nearestAmong']>) {
    this.statements++;
    const write = this.pending;
    this.pending = undefined;
    await write?.();
    return super.nearestAmong(...args);
  }
}

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch on ${kind} when another writer commits between its scan and its statement`, () => {
    let database: Database;
    let store: Store;
    let repository: WriteBeforeRanking;
    let ids: number[];
    const random = seededRandom(91);

    async function reference(queryId: number, rules: AttributeConditionInput[]) {
      const { rows } = await sql<{ id: number }>`
        select p.id from products p
        where p.id <> ${queryId} and (${rules.length === 0} or coalesce((p.attributes -> 'tier') = ${JSON.stringify(rules[0]?.eq ?? null)}::jsonb, false))
        order by p.features <-> (select features from products where id = ${queryId}), p.id limit ${K}`.execute(database.db);
      return rows.map((row) => row.id);
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      repository = new WriteBeforeRanking(database.db);
      (store as { search: SearchRepository }).search = repository;
      const products = await store.products.insertMany(
        hardVectors(random, 2048, PRODUCTS).map((vector, i) => ({ ...newProduct(`p${i}`, vector), attributes: { tier: i % 3 === 0 ? 'gold' : 'plain' } })),
      );
      ids = products.map((p) => p.id);
    });
    after(() => database.close());

    test('every answer is pgvector\'s after the write; a write that cannot touch it costs no second statement', async () => {
      const search = new ExactSearch(store.search);
      let firstTime = 0;
      for (let n = 0; n < 120; n++) {
        const queryId = ids[Math.floor(random() * PRODUCTS)]!;
        const rules: AttributeConditionInput[] = n % 2 === 0 ? [] : [{ key: 'tier', eq: 'gold' }];
        const target = ids[Math.floor(random() * PRODUCTS)]!;
        const change = n % 4;
        repository.pending = async () => {
          if (change === 0 || change === 1) {
            await database.db.updateTable('products').set({ attributes: JSON.stringify({ tier: random() < 0.5 ? 'gold' : 'plain' }) }).where('id', '=', target).execute();
          } else if (change === 2) {
            await database.db.updateTable('products').set({ features: toVector(randomVector(random, 2048)) }).where('id', '=', target).execute();
          } else {
            await database.db.updateTable('products').set({ features: toVector(randomVector(random, 2048)) }).where('id', '=', queryId).execute();
          }
        };
        repository.statements = 0;
        const found = await search.similarTo(queryId, K, neighbourFilter({ where: rules }, undefined));
        assert.deepEqual(found?.neighbours.map((neighbour) => neighbour.product.id), await reference(queryId, rules), `query ${n}: ${queryId}, change ${change} of ${target}`);
        if (repository.statements === 1) firstTime++;
      }
      assert.ok(firstTime > 20, `${firstTime} of 120 answered by their first statement`);
    });
  });
}
