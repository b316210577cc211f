/**
 * Stable error codes that clients can branch on. The GraphQL layer turns a
 * DomainError into a GraphQLError with `extensions.code` set to its code.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'INVALID_IMAGE'
  | 'IMAGE_TOO_LARGE'
  /** Decoding an image ran past IMAGE_DECODE_TIMEOUT_MS; its decoder is freed only when the native work ends. */
  | 'IMAGE_DECODE_TIMEOUT'
  /** An imageUrl the service may not fetch: its scheme, or an address it resolves to (`reason`, `addressClass`), unless its host is in IMAGE_URL_ALLOWED_HOSTS. */
  | 'IMAGE_URL_FORBIDDEN'
  /** Fetching an imageUrl failed: its HTTP `status`, or the `reason` (timeout, too large, not an image, too many redirects, connection refused...). */
  | 'IMAGE_FETCH_FAILED'
  | 'NOT_FOUND'
  | 'DUPLICATE_SKU'
  /** A product of an addProducts batch was removed while the batch was analysed; nothing was written, send it again (HTTP 409). */
  | 'CATALOG_CHANGED'
  | 'TRAINING_IN_PROGRESS'
  /** activateModelVersion named a version that is not kept: never made, pruned, or its run still training. */
  | 'MODEL_VERSION_NOT_FOUND'
  | 'NOT_ENOUGH_TRAINING_DATA'
  /** A mutation without the admin token. */
  | 'UNAUTHENTICATED'
  /** A request priced over the limit before any work was done. */
  | 'QUERY_TOO_COMPLEX'
  /** The image queues are full; retry after a moment (HTTP 503 with Retry-After). */
  | 'TOO_BUSY'
  /** The database cannot be reached now; nothing was written (HTTP 503). */
  | 'DATABASE_UNAVAILABLE'
  /** The client hung up before the answer: the rest of its work was dropped, and nobody reads this. */
  | 'REQUEST_ABORTED';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function productNotFound(id: number | string): DomainError {
  return new DomainError('NOT_FOUND', `no product with id ${id}`, { id: String(id) });
}

/** What work for a client that has hung up ends with, instead of being done for nobody. */
export function requestAborted(): DomainError {
  return new DomainError('REQUEST_ABORTED', 'the client closed the request before its answer');
}
