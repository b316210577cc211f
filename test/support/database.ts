import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database, type DatabaseKind } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { openPGlite } from '../../src/db/pglite-cluster.js';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['pglite', 'postgres'];

/** Where test databases find the empty cluster they start from, as the service's would: MODEL_CACHE_DIR's default. */
export const CLUSTER_CACHE = loadConfig({}).pgliteCacheDir;

/** A new in-memory PGlite with pgvector, in this thread. */
export function newPGlite(): Promise<PGlite> {
  return openPGlite('memory://', CLUSTER_CACHE);
}

/**
 * A fresh, migrated, in-memory database. 'postgres' goes through the `pg`
 * driver to a PGlite served over the wire protocol on loopback, so both
 * drivers run the same SQL for real.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    const database = await openDatabase({ pgliteDataDir: 'memory://', pgliteCacheDir: CLUSTER_CACHE });
    await migrate(database.db);
    return database;
  }
  const served = await servedPGlite();
  // PGlite is one session: one client connection keeps transactions apart.
  const database = await openDatabase({ databaseUrl: served.url, databasePoolSize: 1, pgliteDataDir: 'memory://' });
  await migrate(database.db);
  return {
    db: database.db,
    kind: database.kind,
    ping: () => database.ping(),
    health: () => database.health(),
    async close() {
      await database.close();
      await served.close();
    },
  };
}

/** An in-memory PGlite with pgvector, served over the wire protocol on loopback for the `pg` driver. */
export async function servedPGlite(): Promise<{ url: string; close(): Promise<void> }> {
  const pglite = await newPGlite();
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}
