import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { DomainError, type ErrorCode } from '../../src/errors.js';
import { formatErrorWith } from '../../src/graphql/format-error.js';
import { graphqlStatusPlugin } from '../../src/http/graphql-status.plugin.js';

// A two-field schema whose resolvers throw the service's own errors, through Apollo's real pipeline.
const server = new ApolloServer({
  typeDefs: `type Query { fails(code: String!, retryAfterSeconds: Int): Int, works: Int }`,
  resolvers: {
    Query: {
      fails: (_: unknown, { code, retryAfterSeconds }: { code: ErrorCode; retryAfterSeconds?: number }) => {
        throw new DomainError(code, 'no', retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
      },
      works: () => 1,
    },
  },
  formatError: formatErrorWith(() => {}),
  plugins: [graphqlStatusPlugin()],
});
await server.start();

async function status(query: string) {
  const { http } = await server.executeOperation({ query });
  return { status: http.status ?? 200, retryAfter: http.headers.get('retry-after') };
}

test('a response that is only TOO_BUSY or DATABASE_UNAVAILABLE is 503 with Retry-After, the error\'s own when it gives one', async () => {
  assert.deepEqual(await status(`{ fails(code: "TOO_BUSY") }`), { status: 503, retryAfter: '1' });
  assert.deepEqual(await status(`{ fails(code: "TOO_BUSY", retryAfterSeconds: 7) }`), { status: 503, retryAfter: '7' });
  assert.deepEqual(await status(`{ fails(code: "DATABASE_UNAVAILABLE") }`), { status: 503, retryAfter: '5' });
});

test('codes outside the table, and responses with data, keep 200', async () => {
  assert.deepEqual(await status(`{ fails(code: "NOT_FOUND") }`), { status: 200, retryAfter: undefined });
  assert.deepEqual(await status(`{ fails(code: "TOO_BUSY") works }`), { status: 200, retryAfter: undefined });
});

test('UNAUTHENTICATED alone is 401', async () => {
  assert.deepEqual(await status(`{ fails(code: "UNAUTHENTICATED") }`), { status: 401, retryAfter: undefined });
});
