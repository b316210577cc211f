import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';

export interface ColumnBytes {
  products: number;
  /** Mean pg_column_size per product: what one value takes stored, before page and index overhead. */
  features: number;
  thumbnail: number;
  /** The whole product row as one value, features and thumbnail included. */
  row: number;
}

export interface TableBytes {
  table: string;
  rows: number;
  /** pg_total_relation_size: heap, TOAST and indexes, as the database holds them on disk. */
  total: number;
  heap: number;
  toast: number;
  indexes: number;
}

export async function productColumnBytes(db: Kysely<DB>): Promise<ColumnBytes> {
  const { rows } = await sql<{ products: string; features: string; thumbnail: string; row: string }>`
    select count(*) as products, avg(pg_column_size(features)) as features,
           avg(pg_column_size(thumbnail)) as thumbnail, avg(pg_column_size(p.*)) as row
    from products p`.execute(db);
  const [found] = rows;
  return { products: Number(found!.products), features: Number(found!.features), thumbnail: Number(found!.thumbnail), row: Number(found!.row) };
}

/** Mean pg_column_size of the embeddings of the active model version. */
export async function embeddingColumnBytes(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ bytes: string }>`
    select avg(pg_column_size(e.embedding)) as bytes
    from embeddings e join model_versions m on m.id = e.model_version_id and m.active`.execute(db);
  return Number(rows[0]!.bytes);
}

/** Every table of the schema with its size on disk, so tables other parts of the service add are counted too. */
export async function tableBytes(db: Kysely<DB>): Promise<TableBytes[]> {
  // Row counts come from the statistics; bring them up to date first.
  await sql`analyze`.execute(db);
  const { rows } = await sql<{ table: string; rows: string; total: string; heap: string; toast: string; indexes: string }>`
    select c.relname as table, c.reltuples::bigint as rows,
           pg_total_relation_size(c.oid) as total, pg_relation_size(c.oid) as heap,
           coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) as toast,
           pg_indexes_size(c.oid) as indexes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r'
    order by pg_total_relation_size(c.oid) desc`.execute(db);
  return rows.map((row) => ({
    table: row.table,
    rows: Number(row.rows),
    total: Number(row.total),
    heap: Number(row.heap),
    toast: Number(row.toast),
    indexes: Number(row.indexes),
  }));
}
