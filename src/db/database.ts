import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Postgres URL for the `pg` driver; when absent the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** Connections the `pg` driver keeps. */
  databasePoolSize?: number;
  /** PGlite data folder, or `memory://`. */
  pgliteDataDir: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.databasePoolSize ?? 10)
    : openPGlite(options.pgliteDataDir);
}

function openPostgres(connectionString: string, max: number): Database {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max }) }) });
  return { db, kind: 'postgres', ping: () => ping(db), close: () => db.destroy() };
}

async function openPGlite(dataDir: string): Promise<Database> {
  if (dataDir === 'memory://') return pgliteDatabase(await PGlite.create({ extensions: { vector } }), async () => {});
  await mkdir(dataDir, { recursive: true });
  // One process per folder: a second one would keep its own copy of the pages and lose writes.
  const lock = await acquireDataDirLock(dataDir);
  try {
    return pgliteDatabase(await PGlite.create(dataDir, { extensions: { vector } }), () => lock.release());
  } catch (error) {
    await lock.release();
    throw error;
  }
}

function pgliteDatabase(pglite: PGlite, release: () => Promise<void>): Database {
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    ping: () => ping(db),
    async close() {
      try {
        await db.destroy();
        // Kysely closes its driver only if a query ever ran.
        if (!pglite.closed) await pglite.close();
      } finally {
        await release();
      }
    },
  };
}

async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
