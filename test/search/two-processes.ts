import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { sql } from 'kysely';
import { openDatabase, type Database, type DatabaseKind } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { Store } from '../../src/db/store.js';
import { openTestDatabase, newPGlite } from '../support/database.js';

export interface TwoProcesses {
  /** Writes as another service process would. */
  writer: Store;
  /** Serves searches; on 'postgres' over a connection of its own. */
  reader: Store;
  /** Runs SQL on the writer's connection as an operator would, behind the repositories' back. */
  operator(statements: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * On 'postgres', two clients of one server, as two service processes sharing
 * DATABASE_URL. The embedded PGlite belongs to one process, so there both
 * stores share its one connection.
 */
export async function openTwoProcesses(kind: DatabaseKind): Promise<TwoProcesses> {
  if (kind === 'pglite') {
    const database = await openTestDatabase(kind);
    return {
      writer: new Store(database.db),
      reader: new Store(database.db),
      operator: (statements) => runAsOperator(database, statements),
      close: () => database.close(),
    };
  }
  const pglite = await newPGlite();
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  const connect = () => openDatabase({ databaseUrl: `postgres://postgres@${server.getServerConn()}/postgres`, databasePoolSize: 1, pgliteDataDir: 'memory://' });
  const databases: Database[] = [await connect(), await connect()];
  await migrate(databases[0]!.db);
  return {
    writer: new Store(databases[0]!.db),
    reader: new Store(databases[1]!.db),
    operator: (statements) => runAsOperator(databases[0]!, statements),
    async close() {
      for (const database of databases) await database.close();
      await server.stop();
      await pglite.close();
    },
  };
}

async function runAsOperator(database: Database, statements: string): Promise<void> {
  await sql.raw(statements).execute(database.db);
}
