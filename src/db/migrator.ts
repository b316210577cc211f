import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// Any constant shared by every process of the service: the lock serializes
// concurrent start-ups against one Postgres.
const MIGRATION_LOCK_KEY = 4_181_726_512;

/**
 * Applies the numbered SQL files of `migrations/` that are not yet recorded,
 * in order, each in its own transaction. Returns the versions it applied.
 *
 * Not Kysely's `Migrator` (0.28): it applies every pending file in one
 * transaction, so a failing file undoes those before it (or, with
 * `disableTransactions`, records each file apart from its statements), and
 * it records them in a `kysely_migration` table of its own, where it would
 * not find the files that databases migrated so far list in schema_migrations.
 */
export async function migrate(db: Kysely<DB>, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
    try {
      await sql`create table if not exists schema_migrations (
        version text primary key,
        applied_at timestamptz not null default now()
      )`.execute(connection);
      const applied = new Set(
        (await connection.selectFrom('schema_migrations').select('version').execute()).map((row) => row.version),
      );
      const pending = files.filter((file) => !applied.has(versionOf(file)));
      for (const file of pending) {
        const statements = await readFile(`${dir}/${file}`, 'utf8');
        await connection.transaction().execute(async (trx) => {
          await sql.raw(statements).execute(trx);
          await trx.insertInto('schema_migrations').values({ version: versionOf(file) }).execute();
        });
      }
      return pending.map(versionOf);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
    }
  });
}

function versionOf(file: string): string {
  return file.replace(/\.sql$/, '');
}
