import { DomainError } from '../errors.js';

/** What a client is told to wait before retrying when the database is away. */
export const RETRY_AFTER_SECONDS = 5;

/** Lost or refused connections: the database is away, not the request at fault. */
const UNREACHABLE_SQLSTATE_CLASSES = ['08'];
const UNREACHABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
]);
const UNREACHABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOSPC']);
/** node-pg's own messages, which carry no code. */
const UNREACHABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'timeout expired',
];
/** query_canceled: statement_timeout ran out. The connection is fine; the database is too slow to answer. */
const STATEMENT_TIMEOUT = '57014';
const UNIQUE_VIOLATION = '23505';

export type DatabaseFailure =
  /** The connection is gone or cannot be made: the database is down until a query succeeds. */
  | 'unreachable'
  /** A statement ran past the statement timeout and was cancelled; nothing it did was kept. */
  | 'timeout';

/**
 * The one place that tells a database being away from a query being wrong.
 * Everything else (a unique violation, a syntax error) is the caller's to
 * handle and passes through untouched.
 */
export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code === STATEMENT_TIMEOUT) return 'timeout';
    if (UNREACHABLE_SQLSTATES.has(code) || UNREACHABLE_NODE_CODES.has(code)) return 'unreachable';
    if (code.length === 5 && UNREACHABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return 'unreachable';
  }
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((known) => message.startsWith(known))) return 'unreachable';
  return undefined;
}

/** A unique index refused the row: the sku is taken, or another training run is queued. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/** One line saying why, never the error object: clients of pg carry their whole connection state. */
export function describeDatabaseError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  // Node reports a refused connection to a name with several addresses as an AggregateError with no message.
  if (error instanceof AggregateError && !error.message && error.errors.length > 0) return describeDatabaseError(error.errors[0]);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = (typeof message === 'string' && message.length > 0 ? message : String(error)).split('\n')[0]!;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/** The error every caller (GraphQL, CLI, training) sees for a database that is away or too slow. */
export function databaseUnavailable(failure: DatabaseFailure, reason: string, written: 'none' | 'unknown' = 'none'): DomainError {
  const what = failure === 'timeout' ? 'the database did not answer in time' : 'the database is unavailable';
  // A commit whose answer was lost may have been applied: a retry of the same sku then answers DUPLICATE_SKU.
  const outcome = written === 'none' ? 'nothing was written' : 'the connection was lost while committing, so the change may have been saved';
  return new DomainError('DATABASE_UNAVAILABLE', `${what} (${reason}); ${outcome}; retry later`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}
