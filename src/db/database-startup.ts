import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../errors.js';
import { openDatabase, type Database, type DatabaseOptions } from './database.js';
import { migrate } from './migrator.js';

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

export interface StartupOptions extends DatabaseOptions {
  /** How long to keep retrying a database that is not there yet; 0 tries once. */
  database?: DatabaseOptions['database'] & { startupWaitMs?: number };
}

/**
 * Opens the database and brings its schema up to date, waiting for a
 * database that is not there yet (Compose, systemd and Kubernetes start the
 * pieces in any order): retries with a doubling pause, one log line each,
 * until `startupWaitMs` has passed. Anything but an absent database fails at once.
 */
export async function openMigratedDatabase(options: StartupOptions, log: (line: string) => void): Promise<Database> {
  const database = await openDatabase({ ...options, log });
  try {
    const applied = await whileDatabaseAway(() => migrate(database.db), database, options.database?.startupWaitMs ?? 0, log);
    if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Runs start-up work that needs the database, again and again while the
 * database is away (with a doubling pause, one log line each) until `waitMs`
 * has passed; any other failure ends it at once. Start-up goes through it
 * wherever it reads the database, so a database that goes away half-way
 * through start-up is waited for too.
 */
export async function whileDatabaseAway<T>(work: () => Promise<T>, database: Database, waitMs: number, log: (line: string) => void): Promise<T> {
  const started = performance.now();
  for (let pause = FIRST_RETRY_MS; ; pause = Math.min(pause * 2, LONGEST_RETRY_MS)) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'DATABASE_UNAVAILABLE')) throw error;
      const waited = performance.now() - started;
      const status = database.health();
      const reason = status.up ? error.message : status.reason;
      if (waited >= waitMs) {
        throw new DomainError('DATABASE_UNAVAILABLE', `the database did not answer within ${seconds(waitMs)} s of start-up: ${reason}`);
      }
      const next = Math.min(pause, waitMs - waited);
      log(`waiting for the database (${reason}): retrying in ${seconds(next)} s, ${seconds(waited)} s of ${seconds(waitMs)} s waited`);
      await sleep(next);
    }
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
