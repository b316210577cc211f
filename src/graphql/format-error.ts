import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError } from '../errors.js';
import { tokensRefusal } from './query-limits.js';

/**
 * The one place where errors become what clients see: a DomainError keeps its
 * message and code; GraphQL's own errors (syntax, validation, variables) pass
 * through, a document over the token limit as QUERY_TOO_COMPLEX, Apollo's
 * own 4xx refusals as BAD_REQUEST; anything else is logged and reported
 * without internals.
 */
export function formatErrorWith(log: (unexpected: UnexpectedError) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => formatError(formatted, error, log);
}

/** What is logged of an unexpected error: never the error itself, whose database fields carry the query's parameters. */
export interface UnexpectedError {
  name: string;
  message: string;
  code: string | undefined;
}

/** Longest message logged: a driver's message may quote the values it choked on. */
const MAX_LOGGED_MESSAGE = 500;

function formatError(formatted: GraphQLFormattedError, error: unknown, log: (unexpected: UnexpectedError) => void): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  // A refusal before execution (the query's price) comes wrapped by Apollo.
  const original = unwrapped instanceof GraphQLError && unwrapped.originalError ? unwrapped.originalError : unwrapped;
  if (original instanceof DomainError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...original.details, code: original.code },
    };
  }
  const tooLong = tokensRefusal(formatted);
  if (tooLong) return tooLong;
  // Apollo refuses some requests with a 4xx but no code (a persisted query's
  // hash that is not its document's): the client's mistake, not ours.
  if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' && isClientRefusal(original)) {
    return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  }
  if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
    log(describeUnexpected(original));
    return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}

function isClientRefusal(error: unknown): boolean {
  const status = error instanceof GraphQLError ? (error.extensions.http as { status?: unknown } | undefined)?.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function describeUnexpected(error: unknown): UnexpectedError {
  if (!(error instanceof Error)) return { name: typeof error, message: '(not an Error)', code: undefined };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message.length > MAX_LOGGED_MESSAGE ? `${error.message.slice(0, MAX_LOGGED_MESSAGE)}...` : error.message,
    code: typeof code === 'string' || typeof code === 'number' ? String(code) : undefined,
  };
}
