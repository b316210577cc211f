import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startApi, type ApiProcess } from '../../harness/api-process.js';
import { startDatabaseServer, type DatabaseServer } from '../../harness/database-server.js';
import { graphql } from '../../harness/graphql-client.js';
import { lookalike, startLookalike } from '../support/command-line.js';

const TOKEN = 'replica-import-token';

// Two services on one database over the `pg` path, each with room for one
// batch of images at a time: a second batch sent to the same one is answered
// TOO_BUSY for real, and the import has to wait it out.
describe('an import spread over two running services on one database', () => {
  let dir: string;
  let database: DatabaseServer;
  let replicas: ApiProcess[] = [];
  let urls: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-import-replicas-'));
    database = await startDatabaseServer(join(dir, 'db'));
    const env = { DATABASE_URL: database.url, ADMIN_TOKEN: TOKEN, IMAGE_QUEUE_CAPACITY: '4', LOG_LEVEL: 'info' };
    // One after the other, so that only the first runs the migrations.
    replicas = [startApi(env)];
    const first = await replicas[0]!.ready;
    replicas.push(startApi(env));
    urls = [first, await replicas[1]!.ready];
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  const importArgs = (from: number, count: number) => [
    'import', 'idx', '--from', String(from), '--count', String(count), '--batch-size', '4', '--concurrency', '4',
    ...urls.flatMap((url) => ['--url', url]),
  ];
  const catalogSize = async (url: string) => (await graphql(url, '{ service { catalogSize } }')).data.service.catalogSize as number;

  test('every item lands exactly once, the busy answers waited out', async () => {
    const { stdout } = await lookalike(importArgs(0, 24), { ADMIN_TOKEN: TOKEN, DATA_DIR: join(dir, 'never-opened') });
    assert.match(stdout, /imported 24, skipped 0/);
    assert.deepEqual(await Promise.all(urls.map(catalogSize)), [24, 24]);
    assert.ok(
      replicas.some((replica) => replica.lines.some((line) => /"statusCode":503/.test(line))),
      'a service answered TOO_BUSY at least once',
    );
  });

  test('an import stopped by Ctrl-C continues where it stopped when run again', async () => {
    const args = importArgs(100, 32);
    const env = { ADMIN_TOKEN: TOKEN, DATA_DIR: join(dir, 'never-opened') };
    const before = await catalogSize(urls[0]!);
    const interrupted = startLookalike(args, env);
    let stderr = '';
    interrupted.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = once(interrupted, 'exit');
    while ((await catalogSize(urls[0]!)) === before) await sleep(100);
    interrupted.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 130, stderr);
    const stored = (await catalogSize(urls[1]!)) - before;
    assert.ok(stored > 0 && stored < 32, `stopped part way: ${stored} stored`);

    // A batch the service was already analysing when Ctrl-C came may still land after the exit: the rerun skips it too.
    const { stdout } = await lookalike(args, env);
    const [, imported, skipped] = /imported (\d+), skipped (\d+)/.exec(stdout)!.map(Number);
    assert.equal(imported! + skipped!, 32);
    assert.ok(skipped! >= stored && imported! > 0, stdout);
    assert.deepEqual(await Promise.all(urls.map(catalogSize)), [before + 32, before + 32]);
  });
});
