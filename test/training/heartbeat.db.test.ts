import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Store } from '../../src/db/store.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';
import { startHeartbeat } from '../../src/training/heartbeat.js';
import { openIntermittentDatabase, type IntermittentDatabase } from '../support/intermittent-database.js';

let served: IntermittentDatabase;

before(async () => {
  served = await openIntermittentDatabase({ poolSize: 1 });
});
after(() => served?.close());

test('a heartbeat through a database outage says once that it fails and once that it resumed, and beats again after', async () => {
  const store = new Store(served.database.db);
  const run = (await store.trainingRuns.create(resolveHyperparameters()))!;
  const lines: string[] = [];
  const stop = startHeartbeat(() => store.trainingRuns.beat(run.id), 20, (line) => lines.push(line));
  try {
    await sleep(200);
    await served.goAway();
    await sleep(600);
    const beforeReturn = (await served.pglite.query<{ heartbeat_at: Date }>('select heartbeat_at from training_runs where id = $1', [run.id])).rows[0]!.heartbeat_at;
    await served.comeBack();
    const deadline = Date.now() + 20_000;
    while (!lines.includes('heartbeat resumed') && Date.now() < deadline) await sleep(20);

    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /^heartbeat failed, retrying every 0\.0 s: the database is unavailable/);
    assert.equal(lines[1], 'heartbeat resumed');
    const afterReturn = (await served.pglite.query<{ heartbeat_at: Date }>('select heartbeat_at from training_runs where id = $1', [run.id])).rows[0]!.heartbeat_at;
    assert.ok(afterReturn > beforeReturn);
  } finally {
    stop();
  }
});
