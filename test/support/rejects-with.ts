import assert from 'node:assert/strict';
import { DomainError } from '../../src/errors.js';

/** Asserts that the promise rejects with a DomainError of this code, and returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<DomainError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
  assert.equal(error.code, code);
  return error;
}
