import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { Store } from '../../src/db/store.js';
import { resolveHyperparameters } from '../../src/training/hyperparameters.js';
import { startHeartbeat } from '../../src/training/heartbeat.js';

let pglite: PGlite;
let server: PGLiteSocketServer;
let port: number;
let database: Database;

async function serve(): Promise<void> {
  server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 4 });
  await server.start();
  port = Number(server.getServerConn().split(':')[1]);
}

before(async () => {
  pglite = await PGlite.create({ extensions: { vector } });
  port = 0;
  await serve();
  database = await openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, databasePoolSize: 1, pgliteDataDir: 'memory://', database: { connectTimeoutMs: 1000, poolWaitMs: 1000 } });
  await migrate(database.db);
});
after(async () => {
  await database?.close();
  await server?.stop();
  await pglite?.close();
});

test('a heartbeat through a database outage says once that it fails and once that it resumed, and beats again after', async () => {
  const store = new Store(database.db);
  const run = await store.trainingRuns.create(resolveHyperparameters());
  const lines: string[] = [];
  const stop = startHeartbeat(() => store.trainingRuns.beat(run.id), 20, (line) => lines.push(line));
  try {
    await sleep(200);
    await server.stop();
    await sleep(600);
    const beforeReturn = (await pglite.query<{ heartbeat_at: Date }>('select heartbeat_at from training_runs where id = $1', [run.id])).rows[0]!.heartbeat_at;
    await serve();
    const deadline = Date.now() + 20_000;
    while (!lines.includes('heartbeat resumed') && Date.now() < deadline) await sleep(20);

    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /^heartbeat failed, retrying every 0\.0 s: the database is unavailable/);
    assert.equal(lines[1], 'heartbeat resumed');
    const afterReturn = (await pglite.query<{ heartbeat_at: Date }>('select heartbeat_at from training_runs where id = $1', [run.id])).rows[0]!.heartbeat_at;
    assert.ok(afterReturn > beforeReturn);
  } finally {
    stop();
  }
});
