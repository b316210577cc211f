import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApi } from '../harness/api-process.js';
import { startDatabaseServer } from '../harness/database-server.js';
import { graphql } from '../harness/graphql-client.js';
import { freePort } from './support/free-port.js';

// Compose, systemd and Kubernetes start the pieces in any order: the API
// started before its database waits for it, for DATABASE_STARTUP_WAIT_MS.

test('an API started before its database waits for it, then serves once it appears', async () => {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'lookalike-startup-'));
  const api = startApi({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, DATABASE_STARTUP_WAIT_MS: '60000', DATABASE_POOL_SIZE: '2' });
  try {
    const deadline = Date.now() + 30_000;
    while (api.lines.filter((line) => line.includes('waiting for the database')).length < 2 && Date.now() < deadline) await sleep(50);
    assert.ok(api.running(), 'still running while the database is away');
    assert.ok(api.lines.filter((line) => line.includes('waiting for the database')).length >= 2, api.lines.join('\n'));

    const database = await startDatabaseServer(dataDir, port);
    try {
      // Whether it listens before its services are ready or after, it serves within the wait.
      const url = await api.ready;
      const serving = Date.now() + 60_000;
      let answer = await graphql(url, `{ service { database catalogSize } }`).catch(() => undefined);
      while (answer?.data?.service === undefined && Date.now() < serving) {
        await sleep(200);
        answer = await graphql(url, `{ service { database catalogSize } }`).catch(() => undefined);
      }
      assert.deepEqual(answer?.data?.service, { database: 'postgres', catalogSize: 0 });
    } finally {
      await api.stop();
      await database.kill();
    }
  } finally {
    await api.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a database that goes away half-way through start-up (after the migrations) is waited for too', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lookalike-startup-'));
  let database = await startDatabaseServer(dataDir);
  const api = startApi({ DATABASE_URL: database.url, DATABASE_STARTUP_WAIT_MS: '60000', DATABASE_POOL_SIZE: '2' });
  try {
    // Killed once the migrations are applied, while ResNet50 (loading since the start, for longer) still loads: the rest of start-up finds it away.
    const deadline = Date.now() + 60_000;
    while (!api.lines.some((line) => line.includes('migrations applied')) && api.running() && Date.now() < deadline) await sleep(20);
    await database.kill();
    await sleep(2000);
    assert.ok(api.running(), `exited while its database was away during start-up:\n${api.lines.join('\n')}`);
    database = await startDatabaseServer(dataDir, database.port);
    const url = await api.ready;
    const { data } = await graphql(url, `{ service { database catalogSize } }`);
    assert.deepEqual(data?.service, { database: 'postgres', catalogSize: 0 });
  } finally {
    await api.stop();
    await database.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('an API whose database never appears exits after the start-up wait with one clear line', async () => {
  const port = await freePort();
  const api = startApi({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, DATABASE_STARTUP_WAIT_MS: '1500' });
  const started = performance.now();
  assert.equal(await api.exited, 1);
  assert.ok(performance.now() - started < 30_000);
  const failures = api.lines.filter((line) => line.startsWith('lookalike could not start'));
  assert.equal(failures.length, 1, api.lines.join('\n'));
  assert.match(failures[0]!, /^lookalike could not start: the database did not answer within 1\.5 s of start-up: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  assert.deepEqual(api.lines.filter((line) => /^\s+at /.test(line)), [], 'no stack trace');
});
