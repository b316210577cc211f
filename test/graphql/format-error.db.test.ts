import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { GraphQLError } from 'graphql';
import { formatErrorWith, type UnexpectedError } from '../../src/graphql/format-error.js';

test('an unexpected database error is logged as its name, message and code only, never its query parameters', async () => {
  const db = await PGlite.create();
  const parameter = `a\0b${'x'.repeat(20_000)}`;
  const error = await db.query('select $1::text', [parameter]).then(
    () => assert.fail('PGlite took a NUL'),
    (error: unknown) => error,
  );
  await db.close();

  const logged: UnexpectedError[] = [];
  const wrapped = new GraphQLError('wrapped', { originalError: error as Error, path: ['addProduct'] });
  const answered = formatErrorWith((unexpected) => logged.push(unexpected))({ message: 'wrapped', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, wrapped);

  assert.deepEqual(answered, { message: 'internal error', path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  assert.equal(logged.length, 1);
  assert.deepEqual(Object.keys(logged[0]!).sort(), ['code', 'message', 'name']);
  assert.equal(logged[0]!.code, '22021');
  assert.ok(JSON.stringify(logged).length < 1000, `${JSON.stringify(logged).length} characters logged`);
  assert.doesNotMatch(JSON.stringify(logged), /xxxx/);
});
