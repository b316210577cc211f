import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp, type HttpApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { MAX_QUERY_LENGTH } from '../../src/graphql/query-limits.js';
import { createLogger } from '../../src/http/logger.js';

// The edge alone, without services: a document within the length reaches
// GraphQL's turn (SERVICE_STARTING here), a longer one never gets lexed.
const config = loadConfig({ LOG_LEVEL: 'silent' });
let app: HttpApp;
before(async () => {
  app = await buildApp(config, createLogger(config));
});
after(() => app?.close());

const post = (query: string) => app.server.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ query }) });

test('a document longer than MAX_QUERY_LENGTH characters (images inline) is QUERY_TOO_COMPLEX before it is lexed', async () => {
  const image = 'A'.repeat(MAX_QUERY_LENGTH);
  const reply = await post(`{ similarToImage(image: "${image}") { space } }`);
  assert.equal(reply.statusCode, 400);
  const [error] = reply.json().errors;
  assert.equal(error.extensions.code, 'QUERY_TOO_COMPLEX');
  assert.equal(error.extensions.limit, 'length');
  assert.equal(error.extensions.max, MAX_QUERY_LENGTH);
  assert.ok(error.extensions.price > MAX_QUERY_LENGTH);
});

test('over GET too', async () => {
  const reply = await app.server.inject({ method: 'GET', url: `/?query=${encodeURIComponent(`{ a: service { catalogSize } }${' '.repeat(MAX_QUERY_LENGTH)}`)}` });
  assert.equal(reply.statusCode, 400);
  assert.equal(reply.json().errors[0].extensions.limit, 'length');
});

test('a document within the limit goes on to GraphQL', async () => {
  const reply = await post(`{ service { catalogSize } }${' '.repeat(MAX_QUERY_LENGTH - 100)}`);
  assert.equal(reply.json().errors[0].extensions.code, 'SERVICE_STARTING');
});
