import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { isCopyOut, pgCopyOut, type CopyOutput } from './copy-out.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { classifyDatabaseError, describeDatabaseError } from './database-errors.js';
import { DatabaseHealth, type DatabaseStatus } from './database-health.js';
import { GuardedDialect } from './guarded-dialect.js';
import { PGliteDialect } from './pglite-dialect.js';
import { PGliteThread } from './pglite-thread.js';
import type { DB } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Resolves when the database answers a trivial query; rejects with DATABASE_UNAVAILABLE and the reason otherwise. */
  ping(): Promise<void>;
  /** Whether the last statement found the database there, why not, and since when. */
  health(): DatabaseStatus;
  /**
   * The embedded database only, whose folder has one owner: a count that
   * moves as each statement that may write starts (PGliteDialect.changes).
   * Absent on `pg`, where other processes write.
   */
  readonly localChanges?: () => number;
  close(): Promise<void>;
}

export interface DatabaseTimeouts {
  /** Longest wait for a new connection to be made. */
  connectTimeoutMs: number;
  /** Longest a statement may run; the database cancels it after that. */
  statementTimeoutMs: number;
  /** Longest wait for a free pooled connection. */
  poolWaitMs: number;
}

const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, poolWaitMs: 5_000 };

export interface DatabaseOptions {
  /** Postgres URL for the `pg` driver; when absent the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** Connections the `pg` driver keeps. */
  databasePoolSize?: number;
  /** PGlite data folder, or `memory://`. */
  pgliteDataDir: string;
  /** Where a new PGlite database finds, or leaves, the empty cluster it starts from (pglite-cluster.ts); none when absent. */
  pgliteCacheDir?: string | undefined;
  /** Timeouts of the `pg` driver. */
  database?: Partial<DatabaseTimeouts>;
  /** Where the database's going away and coming back are said, one line each. */
  log?: (line: string) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const health = new DatabaseHealth(options.log);
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.databasePoolSize ?? 10, { ...DEFAULT_TIMEOUTS, ...options.database }, health)
    : openPGlite(options.pgliteDataDir, options.pgliteCacheDir, health).catch((error: unknown) => {
        // PGlite aborts its WebAssembly Postgres on a damaged folder and says only "Aborted()".
        if (!(error instanceof Error && error.name === 'RuntimeError' && error.message.startsWith('Aborted'))) throw error;
        throw new Error(
          `the embedded database in ${options.pgliteDataDir} could not be opened (${error.message.split('.')[0]}): the folder is damaged or was written by another Postgres version; restore it from a backup or point DATA_DIR elsewhere`,
        );
      });
}

/**
 * node-pg has one timeout, `connectionTimeoutMillis`, for both waiting for a
 * pool slot and making a connection. The pool gets the pool wait; each client
 * gets the connect timeout for its own connection attempt, so a new
 * connection made for a waiting request is bounded by the smaller of the two.
 */
function openPostgres(connectionString: string, max: number, timeouts: DatabaseTimeouts, health: DatabaseHealth): Database {
  class Client extends pg.Client {
    constructor(config: pg.ClientConfig = {}) {
      super({
        ...config,
        connectionTimeoutMillis: timeouts.connectTimeoutMs,
        statement_timeout: timeouts.statementTimeoutMs,
        // A database that stops answering altogether (a frozen host) never
        // cancels anything itself: the client gives up a little later.
        query_timeout: timeouts.statementTimeoutMs + timeouts.connectTimeoutMs,
        // A peer that vanished without a word (a failover, a dropped network)
        // is then found by the kernel, not only by a query's timeout.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      // A checked-out client has no listener of the pool's: without this one
      // a connection lost mid-query would be an unhandled 'error' event. Its
      // query fails too, and that failure is what gets classified.
      this.on('error', () => {});
    }

    // pg's Pool.query is a set of overloads this one override stands in for.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override query(...args: unknown[]): any {
      const [text, values] = args;
      const result =
        typeof text === 'string' && isCopyOut(text) ? copyOutRows(this, text, values) : (super.query as (...a: unknown[]) => unknown)(...args);
      // After a read timeout the query is still running on the connection;
      // ending the connection makes the pool discard it instead of reusing it.
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === 'Query read timeout') this.connection.stream.destroy();
        });
      }
      return result;
    }
  }
  const pool = new pg.Pool({ connectionString, max, Client, connectionTimeoutMillis: timeouts.poolWaitMs });
  // Idle clients that lose their connection are discarded by the pool, which
  // then emits 'error'; unhandled, that would end the process. A server that
  // merely closes idle sessions (idle_session_timeout) is no outage.
  pool.on('error', (error) => {
    const failure = classifyDatabaseError(error);
    if (failure) health.failed(failure, describeDatabaseError(error));
  });
  const db = new Kysely<DB>({ dialect: new GuardedDialect(new PostgresDialect({ pool }), health) });
  return { db, kind: 'postgres', ping: () => ping(db), health: () => health.status(), close: () => db.destroy() };
}

/** A copyOut statement through Kysely, which reads `rows` of what a query resolves to. */
async function copyOutRows(client: pg.Client, statement: string, values: unknown): Promise<{ command: string; rows: CopyOutput[] }> {
  if (Array.isArray(values) && values.length > 0) throw new Error('COPY takes no parameters');
  return { command: 'COPY', rows: [await pgCopyOut(client, statement)] };
}

async function openPGlite(dataDir: string, cacheDir: string | undefined, health: DatabaseHealth): Promise<Database> {
  if (dataDir === 'memory://') return pgliteDatabase(await PGliteThread.open(dataDir, cacheDir), health, async () => {});
  await mkdir(dataDir, { recursive: true });
  // One process per folder: a second one would keep its own copy of the pages and lose writes.
  const lock = await acquireDataDirLock(dataDir);
  try {
    return pgliteDatabase(await PGliteThread.open(dataDir, cacheDir), health, () => lock.release());
  } catch (error) {
    await lock.release();
    throw error;
  }
}

function pgliteDatabase(pglite: PGliteThread, health: DatabaseHealth, release: () => Promise<void>): Database {
  const dialect = new PGliteDialect(pglite);
  // It cannot go away on its own, but a full disk fails its statements the same way.
  const db = new Kysely<DB>({ dialect: new GuardedDialect(dialect, health) });
  return {
    db,
    kind: 'pglite',
    localChanges: () => dialect.changes(),
    ping: () => ping(db),
    health: () => health.status(),
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
