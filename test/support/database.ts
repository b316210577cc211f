import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openDatabase, type Database, type DatabaseKind } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['pglite', 'postgres'];

/**
 * A fresh, migrated, in-memory database. 'postgres' goes through the `pg`
 * driver to a PGlite served over the wire protocol on loopback, so both
 * drivers run the same SQL for real.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    const database = await openDatabase({ pgliteDataDir: 'memory://' });
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
  const pglite = await PGlite.create({ extensions: { vector } });
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
