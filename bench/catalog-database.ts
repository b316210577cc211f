// A bench catalog in a real Postgres as the service reads it: products
// 1..size (zero features, which compress to a few bytes: a million 8 kB
// vectors would not fit on a small disk) and an active model version whose
// embeddings are the catalog's vectors, loaded by a binary COPY file the
// server reads. Seeded once: a database that already holds `size` active
// embeddings is left as it is.
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import type { DB } from '../src/db/schema.js';
import type { Catalog } from './catalogs.js';

/** `<base>_<suffix>`, created if absent. */
export async function createdDatabase(base: string, suffix: string): Promise<string> {
  const url = `${base}_${suffix}`;
  const admin = new pg.Client({ connectionString: base.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  const name = new URL(url).pathname.slice(1);
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`create database ${name}`);
  await admin.end();
  return url;
}

export async function seedCatalog(url: string, size: number, dimensions: number, vectorOf: Catalog): Promise<void> {
  const database = await openDatabase({ databaseUrl: url, databasePoolSize: 2, pgliteDataDir: 'memory://', database: { statementTimeoutMs: 1_800_000 } });
  const { db } = database;
  try {
    await migrate(db);
    const { rows: held } = await sql<{ n: number }>`select count(*)::int as n from embeddings e join model_versions m on m.id = e.model_version_id and m.active`.execute(db);
    if (held[0]!.n === size) return;
    console.log(`seeding ${url} with ${size} products`);
    await seedProducts(db, size, async (version) => {
      const path = join(tmpdir(), `lookalike-catalog-${process.pid}.pgcopy`);
      try {
        await writeEmbeddings(path, size, dimensions, version, vectorOf);
        await sql`copy embeddings (model_version_id, product_id, embedding, predicted_category) from ${sql.lit(path)} with (format binary)`.execute(db);
      } finally {
        await rm(path, { force: true });
      }
    });
    await sql`analyze`.execute(db);
  } finally {
    await database.close();
  }
}

/** Products 1..size with zero features, a version, its embeddings loaded by `copy`, then activated. */
export async function seedProducts(db: Kysely<DB>, size: number, copy: (version: number) => Promise<void>): Promise<void> {
  await sql`truncate products, training_runs, model_versions, search_changes restart identity cascade`.execute(db);
  await sql`alter table products alter column features set storage main`.execute(db);
  await sql`insert into products (sku, name, thumbnail, image_width, image_height, features)
    select 'p' || i, 'p' || i, '\\x00'::bytea, 1, 1, z.v from generate_series(1, ${size}::int) i,
    (select array_fill(0::real, array[2048])::vector as v) z`.execute(db);
  await sql`insert into training_runs (status, hyperparameters) values ('succeeded', '{}')`.execute(db);
  const { rows } = await sql<{ id: number }>`insert into model_versions (training_run_id, classes, head_weights, head_layout, feature_mean, feature_scale, embedding_mean, embedding_scale)
    values (1, '{a}', '\\x00'::bytea, '{}', '{}', '{}', '{}', '{}') returning id`.execute(db);
  await copy(rows[0]!.id);
  await sql`update model_versions set active = true, activated_at = now()`.execute(db);
}

/** PGCOPY of embeddings: model_version_id, product_id, the embedding, predicted_category 'a'; product ids 1..size. */
export function writeEmbeddings(path: string, size: number, dimensions: number, version: number, vectorOf: Catalog): Promise<void> {
  return writeVectorRows(path, size, dimensions, vectorOf, (i) => [version, i + 1], 'a');
}

/**
 * A PGCOPY file of `size` rows: the int4 columns `before` gives row i, the
 * vector as vector_recv reads it (int16 dimensions, int16 unused, big-endian
 * float4s), then a one-character text column when `after` is given.
 */
export async function writeVectorRows(path: string, size: number, dimensions: number, vectorOf: Catalog, before: (i: number) => number[], after?: string): Promise<void> {
  const file = await open(path, 'w', 0o644);
  await file.write(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]));
  const leading = before(0).length;
  const rowBytes = 2 + 8 * leading + 4 + 4 + 4 * dimensions + (after === undefined ? 0 : 4 + 1);
  const batch = 4096;
  const buffer = Buffer.alloc(rowBytes * batch);
  const vector = new Float32Array(dimensions);
  for (let start = 0; start < size; start += batch) {
    const count = Math.min(batch, size - start);
    for (let r = 0; r < count; r++) {
      vectorOf(start + r, vector);
      let at = buffer.writeInt16BE(leading + 1 + (after === undefined ? 0 : 1), r * rowBytes);
      for (const value of before(start + r)) at = buffer.writeInt32BE(value, buffer.writeInt32BE(4, at));
      at = buffer.writeInt32BE(4 + 4 * dimensions, at);
      at = buffer.writeInt16BE(dimensions, at);
      at = buffer.writeInt16BE(0, at);
      for (let d = 0; d < dimensions; d++) at = buffer.writeFloatBE(vector[d]!, at);
      if (after !== undefined) buffer.write(after, buffer.writeInt32BE(1, at), 'latin1');
    }
    await file.write(buffer, 0, count * rowBytes);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  await file.write(trailer);
  await file.close();
}
