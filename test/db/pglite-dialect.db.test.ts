import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/database.js';
import { Store } from '../../src/db/store.js';
import { newProduct } from '../../harness/catalog-fixtures.js';

test('the embedded database counts the statements that may write: every one but a select outside a transaction', async () => {
  const database = await openTestDatabase('pglite');
  try {
    const changes = () => database.localChanges!();
    const store = new Store(database.db);
    const before = changes();
    await store.search.state();
    await sql`select 1`.execute(database.db);
    assert.equal(changes(), before, 'selects alone');
    await store.products.insertMany([newProduct('counted', new Float32Array(2048))]);
    const afterInsert = changes();
    assert.ok(afterInsert > before);
    await store.transaction(async (repositories) => {
      await repositories.search.state();
      assert.ok(changes() > afterInsert, 'a select inside a transaction may be followed by its writes');
    });
  } finally {
    await database.close();
  }
});
