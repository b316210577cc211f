import type { CompiledQuery, DatabaseConnection, Dialect, Driver, Kysely, QueryResult, TransactionSettings } from 'kysely';
import { classifyDatabaseError, databaseUnavailable, describeDatabaseError } from './database-errors.js';
import type { DatabaseHealth } from './database-health.js';

/**
 * Wraps a dialect so that every statement, from every repository, meets the
 * database's absence the same way: the error becomes DATABASE_UNAVAILABLE and
 * the health is told; any answer tells the health the database is back.
 * Errors that are about the query (a unique violation) pass through as they
 * came, so callers keep checking their SQLSTATEs.
 */
export class GuardedDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly health: DatabaseHealth,
  ) {}

  createAdapter() {
    return this.inner.createAdapter();
  }
  createDriver(): Driver {
    return new GuardedDriver(this.inner.createDriver(), this.health);
  }
  // Kysely's Dialect interface types the database as Kysely<any>.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return this.inner.createIntrospector(db);
  }
  createQueryCompiler() {
    return this.inner.createQueryCompiler();
  }
}

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: DatabaseHealth,
  ) {}

  init(): Promise<void> {
    return guard(this.health, () => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await guard(this.health, () => this.inner.acquireConnection()), this.health);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guard(this.health, () => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(this.health, () => this.inner.commitTransaction(innerOf(connection)), 'commit');
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(this.health, () => this.inner.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: DatabaseHealth,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guard(this.health, () => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof GuardedConnection ? connection.inner : connection;
}

/** A commit that loses its connection may have committed: the caller is told so. */
async function guard<T>(health: DatabaseHealth, run: () => Promise<T>, phase?: 'commit'): Promise<T> {
  const asked = performance.now();
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const failure = classifyDatabaseError(error);
    if (!failure) throw error;
    const reason = describeDatabaseError(error);
    health.failed(failure, reason);
    throw databaseUnavailable(failure, reason, phase === 'commit' ? 'unknown' : 'none');
  }
  health.answered(asked);
  return result;
}
