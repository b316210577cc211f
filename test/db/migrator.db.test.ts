import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrator.js';
import { ProductRepository } from '../../src/db/product.repository.js';
import { categoryKey, normalizeCategory } from '../../src/domain/category.js';
import { CLUSTER_CACHE } from '../support/database.js';

test('applies every migration once, in order, and records it', async () => {
  const database = await openDatabase({ pgliteDataDir: 'memory://', pgliteCacheDir: CLUSTER_CACHE });
  try {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const first = await migrate(database.db);
    assert.deepEqual(first, files.map((f) => f.replace(/\.sql$/, '')));
    assert.deepEqual(await migrate(database.db), []);
    const recorded = await database.db.selectFrom('schema_migrations').select('version').orderBy('version').execute();
    assert.deepEqual(recorded.map((r) => r.version), first);
    const { rows } = await sql<{ extname: string }>`select extname from pg_extension where extname = 'vector'`.execute(database.db);
    assert.equal(rows.length, 1);
  } finally {
    await database.close();
  }
});

test('each file runs in a transaction with its record: one that fails leaves no trace, the files before it stay applied, and the next run starts from it', async () => {
  const database = await openDatabase({ pgliteDataDir: 'memory://', pgliteCacheDir: CLUSTER_CACHE });
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-migrations-'));
  try {
    await writeFile(join(dir, '001_first.sql'), 'create table first (x int);');
    await writeFile(join(dir, '002_second.sql'), 'create table second (x int); select 1 / 0;');
    await writeFile(join(dir, '003_third.sql'), 'create table third (x int);');
    await assert.rejects(migrate(database.db, dir), /division by zero/);
    const tables = async () =>
      (await sql<{ tablename: string }>`select tablename from pg_tables where tablename in ('first', 'second', 'third') order by tablename`.execute(database.db)).rows.map((r) => r.tablename);
    const recorded = async () => (await database.db.selectFrom('schema_migrations').select('version').orderBy('version').execute()).map((r) => r.version);
    assert.deepEqual(await tables(), ['first']);
    assert.deepEqual(await recorded(), ['001_first']);

    await writeFile(join(dir, '002_second.sql'), 'create table second (x int);');
    assert.deepEqual(await migrate(database.db, dir), ['002_second', '003_third']);
    assert.deepEqual(await tables(), ['first', 'second', 'third']);
    assert.deepEqual(await recorded(), ['001_first', '002_second', '003_third']);
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('migration 006 normalizes stored categories as the service does, keys them as the service does, and merges case variants to the first spelling', async () => {
  const database = await openDatabase({ pgliteDataDir: 'memory://', pgliteCacheDir: CLUSTER_CACHE });
  const before006 = await mkdtemp(join(tmpdir(), 'lookalike-migrations-'));
  try {
    for (const file of (await readdir(MIGRATIONS_DIR)).filter((f) => f < '006')) await copyFile(join(MIGRATIONS_DIR, file), join(before006, file));
    await migrate(database.db, before006);
    const stored: [string | null, string | null][] = [
      [' Shoes ', 'Shoes'],
      ['shoes', 'Shoes'],
      ['SHOES', 'Shoes'],
      ['shoes\u200b', 'Shoes'],
      ['e\u0301cole', 'école'],
      ['ÉCOLE', 'école'],
      ['Running\u00a0\u00a0 shoes', 'Running shoes'],
      ['\u3000Bags\t', 'Bags'],
      ['bags', 'Bags'],
      ['   ', null],
      ['\ufeff', null],
      [null, null],
      ['Straße', 'Straße'],
      ['STRASSE', 'Straße'],
      ['ΟΔΟΣ', 'ΟΔΟΣ'],
      ['οδος', 'ΟΔΟΣ'],
      ['Canvas totes', 'Canvas totes'],
    ];
    // The rows as the service wrote them before 006, which had no category_key.
    const zeros = `[${new Array(2048).fill(0).join(',')}]`;
    const inserted = await database.db
      .insertInto('products')
      .values(stored.map(([category], i) => ({ sku: `p${i}`, name: 'p', category, thumbnail: new Uint8Array(1), image_width: 1, image_height: 1, features: zeros })))
      .returning('id')
      .execute();
    const products = new ProductRepository(database.db);

    const generationOf = async (id: number) =>
      Number((await database.db.selectFrom('search_changes').select('generation').where('product_id', '=', id).executeTakeFirstOrThrow()).generation);
    const insertedAt = await generationOf(inserted[0]!.id);
    assert.equal((await migrate(database.db))[0], '006_category_spelling');
    assert.ok((await generationOf(inserted[0]!.id)) > insertedAt, 'a product whose category changed is logged for the search indexes');
    assert.equal(await generationOf(inserted.at(-1)!.id), insertedAt, 'one whose category was already normal is not rewritten');
    const after = await Promise.all(inserted.map(async (p) => (await products.findById(p.id))!.category));
    assert.deepEqual(after, stored.map(([, expected]) => expected));
    stored.forEach(([raw], i) => {
      const normalized = raw === null ? null : normalizeCategory(raw);
      assert.equal(normalized && categoryKey(normalized), after[i] && categoryKey(after[i]), `the service normalizes ${JSON.stringify(raw)} as the migration does`);
    });
    const keys = await database.db.selectFrom('products').select(['category', 'category_key']).execute();
    for (const { category, category_key } of keys) {
      assert.equal(category_key, category === null ? null : categoryKey(category), `the key of ${JSON.stringify(category)} is the service's`);
    }
  } finally {
    await database.close();
    await rm(before006, { recursive: true, force: true });
  }
});
