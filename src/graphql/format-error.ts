import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError } from '../errors.js';
import { tokensRefusal } from './query-limits.js';

/**
 * The one place where errors become what clients see: a DomainError keeps its
 * message and code; GraphQL's own errors (syntax, validation, variables) pass
 * through, a document over the token limit as QUERY_TOO_COMPLEX; anything
 * else is logged and reported without internals.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
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
  if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
    console.error(original);
    return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}
