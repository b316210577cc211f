import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { isCopyOut, pgliteCopyOut } from './copy-out.js';

/** What the dialect asks of PGlite: PGlite itself, or the one in a thread of its own (pglite-thread.ts). */
export type PGliteSession = Pick<PGlite, 'waitReady' | 'exec' | 'query' | 'close' | 'closed'>;

/**
 * Kysely dialect for PGlite. PGlite is one Postgres session, so the driver
 * hands out a single connection guarded by a queue: a transaction owns the
 * session until it ends, and other queries wait instead of joining it.
 */
export class PGliteDialect implements Dialect {
  readonly #changes = new ChangeCount();

  constructor(private readonly pglite: PGliteSession) {}

  /**
   * How many statements that may have written this process has run so far:
   * every one but a select outside a transaction. It moves as each starts,
   * transactions' commits included; the folder has no other writer.
   */
  changes(): number {
    return this.#changes.count;
  }

  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.#changes);
  }
  // Kysely's Dialect interface types the database as Kysely<any>.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(
    private readonly pglite: PGliteSession,
    changes: ChangeCount,
  ) {
    this.#connection = new PGliteConnection(pglite, changes);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

class ChangeCount {
  count = 0;
  #inTransaction = false;

  /** Called as each statement starts: the session runs one at a time, in order. */
  starting(sql: string): void {
    const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
    if (verb === 'begin') this.#inTransaction = true;
    if (verb !== 'select' || this.#inTransaction) this.count++;
    if (verb === 'commit' || verb === 'rollback') this.#inTransaction = false;
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(
    private readonly pglite: PGliteSession,
    private readonly changes: ChangeCount,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.changes.starting(query.sql);
    if (isCopyOut(query.sql)) {
      if (query.parameters.length > 0) throw new Error('COPY takes no parameters');
      return { rows: [(await pgliteCopyOut(this.pglite, query.sql)) as R] };
    }
    // Without parameters the simple protocol runs, so a migration file can hold
    // several statements, as it can through `pg`.
    const result =
      query.parameters.length === 0
        ? ((await this.pglite.exec(query.sql, { rowMode: 'object' })).at(-1) ?? { rows: [], affectedRows: 0 })
        : await this.pglite.query<R>(query.sql, query.parameters as unknown[], { rowMode: 'object' });
    return {
      rows: result.rows as R[],
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // Kysely's interface asks for a generator; this one refuses before its first row.
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not stream query results');
  }
}
