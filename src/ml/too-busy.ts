import { DomainError } from '../errors.js';

/** Refusal of work that would not fit in a queue; the edge answers HTTP 503 with Retry-After. */
export function tooBusy(queue: string, retryAfterSeconds: number): DomainError {
  const seconds = Math.min(60, Math.max(1, Math.ceil(retryAfterSeconds)));
  return new DomainError('TOO_BUSY', `the ${queue} queue is full; retry in ${seconds} s`, { retryAfterSeconds: seconds });
}
