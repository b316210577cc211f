/**
 * Stable error codes that clients can branch on. The GraphQL layer turns a
 * DomainError into a GraphQLError with `extensions.code` set to its code.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'INVALID_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'NOT_FOUND'
  | 'DUPLICATE_SKU'
  | 'TRAINING_IN_PROGRESS'
  | 'NOT_ENOUGH_TRAINING_DATA';

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
