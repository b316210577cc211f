import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { newPGlite } from './database.js';

/** A migrated database on the `pg` path whose server can be taken away and brought back on the same port, its data kept. */
export interface IntermittentDatabase {
  readonly database: Database;
  /** The database itself, readable while its server is away. */
  readonly pglite: PGlite;
  /** Stops serving: open connections drop and new ones are refused. */
  goAway(): Promise<void>;
  /** Serves again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export async function openIntermittentDatabase(options: { poolSize: number; log?: (line: string) => void }): Promise<IntermittentDatabase> {
  const pglite = await newPGlite();
  let server: PGLiteSocketServer | undefined;
  let port = 0;
  const serve = async () => {
    server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 4 });
    await server.start();
    port = Number(server.getServerConn().split(':')[1]);
  };
  await serve();
  const database = await openDatabase({
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    databasePoolSize: options.poolSize,
    pgliteDataDir: 'memory://',
    database: { connectTimeoutMs: 1000, poolWaitMs: 1000 },
    ...(options.log ? { log: options.log } : {}),
  });
  await migrate(database.db);
  return {
    database,
    pglite,
    goAway: () => server!.stop(),
    comeBack: serve,
    async close() {
      await database.close();
      await server?.stop();
      await pglite.close();
    },
  };
}
