import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyDatabaseError, databaseUnavailable, describeDatabaseError, isUniqueViolation } from '../../src/db/database-errors.js';

// The shapes node-pg gives these errors: a DatabaseError with a SQLSTATE
// `code`, a Node system error with an errno `code`, or a plain Error.
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('a lost or refused connection is the database being unavailable', () => {
  for (const error of [
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('server closed the connection unexpectedly', '08006'),
    withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    withCode('read ECONNRESET', 'ECONNRESET'),
    withCode('could not extend file: No space left on device', '53100'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
  ]) {
    assert.equal(classifyDatabaseError(error), 'unreachable', error.message);
  }
});

test('a statement cancelled by statement_timeout is a timeout, not an outage', () => {
  assert.equal(classifyDatabaseError(withCode('canceling statement due to statement timeout', '57014')), 'timeout');
  assert.match(databaseUnavailable('timeout', 'x').message, /did not answer in time/);
});

test('errors about the query itself pass through for their callers', () => {
  for (const error of [
    withCode('duplicate key value violates unique constraint "products_sku_key"', '23505'),
    withCode('syntax error at or near "selec"', '42601'),
    new Error('Connection string is wrong'),
    'a string',
    undefined,
  ]) {
    assert.equal(classifyDatabaseError(error), undefined, String(error));
  }
});

test('a unique violation is told apart from every other error', () => {
  assert.equal(isUniqueViolation(withCode('duplicate key value violates unique constraint "products_sku_key"', '23505')), true);
  for (const error of [withCode('null value in column "sku"', '23502'), new Error('23505'), '23505', undefined, null]) {
    assert.equal(isUniqueViolation(error), false, String(error));
  }
});

test('the reason is one line with the code, never the error object', () => {
  const error = Object.assign(withCode('terminating connection due to administrator command\nDETAIL: x', '57P01'), { client: { a: 1 } });
  assert.equal(describeDatabaseError(error), 'terminating connection due to administrator command (57P01)');
  assert.equal(describeDatabaseError(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')), 'connect ECONNREFUSED 127.0.0.1:5432');
});

test('a refused connection to a name with several addresses is described by its first attempt', () => {
  // What Node gives for `localhost` when both ::1 and 127.0.0.1 refuse.
  const error = Object.assign(
    new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]),
    { code: 'ECONNREFUSED' },
  );
  assert.equal(classifyDatabaseError(error), 'unreachable');
  assert.equal(describeDatabaseError(error), 'connect ECONNREFUSED ::1:5432');
});
