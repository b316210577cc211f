import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { TrainingRunRepository } from '../../src/db/training-run.repository.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { silenceRun } from '../support/heartbeat.js';

const epoch = (n: number) => ({ epoch: n, loss: 1 / n, accuracy: 0.5, valLoss: 1.1 / n, valAccuracy: 0.4, seconds: 0.1 });

for (const kind of DATABASE_KINDS) {
  describe(`TrainingRunRepository on ${kind}`, () => {
    let database: Database;
    let runs: TrainingRunRepository;
    before(async () => {
      database = await openTestDatabase(kind);
      runs = new TrainingRunRepository(database.db);
    });
    after(() => database.close());

    test('a run goes from queued to running to succeeded, keeping each epoch', async () => {
      const run = (await runs.create(resolveHyperparameters({ epochs: 2 })))!;
      assert.equal(run.status, 'queued');
      assert.equal(run.hyperparameters.epochs, 2);
      await runs.start(run.id, { classes: ['a', 'b'], excluded: [{ category: 'c', products: 1 }], trainingSamples: 8, validationSamples: 2 });
      await runs.appendEpoch(run.id, epoch(1));
      await runs.appendEpoch(run.id, epoch(2));
      await runs.succeed(run.id, {
        valLoss: 0.5,
        valAccuracy: 0.9,
        keptEpoch: 1,
        stoppedEarly: false,
        trainingSeconds: 1,
        embeddingSeconds: 2,
        embeddedProducts: 10,
      });
      const done = (await runs.findById(run.id))!;
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(done.classes, ['a', 'b']);
      assert.deepEqual(done.excludedCategories, [{ category: 'c', products: 1 }]);
      assert.deepEqual(done.epochs, [epoch(1), epoch(2)]);
      assert.equal(done.metrics?.valAccuracy, 0.9);
      assert.equal(done.metrics?.keptEpoch, 1);
      assert.ok(done.startedAt && done.finishedAt);
      assert.equal(done.modelVersionId, null);
    });

    test('only one run can be queued or running at a time', async () => {
      const first = (await runs.create(resolveHyperparameters()))!;
      assert.equal(await runs.create(resolveHyperparameters()), undefined);
      await runs.fail(first.id, 'boom');
      const failed = (await runs.findById(first.id))!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error, 'boom');
      await runs.fail((await runs.create(resolveHyperparameters()))!.id, 'done');
    });

    test('a refused run uses up no id: the next run after refusals, one after another or at once, is the previous id + 1', async () => {
      const blocking = (await runs.create(resolveHyperparameters()))!;
      for (let i = 0; i < 3; i++) assert.equal(await runs.create(resolveHyperparameters()), undefined);
      await runs.fail(blocking.id, 'done');
      const racing = await Promise.all([runs.create(resolveHyperparameters()), runs.create(resolveHyperparameters())]);
      const created = racing.filter((run) => run !== undefined);
      assert.deepEqual(created.map((run) => run.id), [blocking.id + 1]);
      await runs.fail(created[0]!.id, 'done');
      assert.equal((await runs.create(resolveHyperparameters()))!.id, blocking.id + 2);
      await runs.fail(blocking.id + 2, 'done');
    });

    test('a run whose heartbeat stopped longer ago than the limit is failed; finished runs are left alone', async () => {
      const run = (await runs.create(resolveHyperparameters()))!;
      await runs.start(run.id, { classes: ['a', 'b'], excluded: [], trainingSamples: 8, validationSamples: 2 });
      assert.deepEqual(await runs.failAbandoned(60, 'interrupted'), []);
      await silenceRun(database.db, run.id, 61);
      assert.deepEqual(await runs.failAbandoned(60, 'interrupted'), [run.id]);
      const failed = (await runs.findById(run.id))!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error, 'interrupted');
      assert.deepEqual(await runs.failAbandoned(60, 'again'), []);
    });

    test('a heartbeat keeps a silent run from being failed', async () => {
      const run = (await runs.create(resolveHyperparameters()))!;
      await silenceRun(database.db, run.id, 3600);
      await runs.beat(run.id);
      assert.deepEqual(await runs.failAbandoned(60, 'interrupted'), []);
      await runs.fail(run.id, 'done');
    });

    test('a run stored before early stopping existed reads as one that trained every epoch and kept the last', async () => {
      const { earlyStoppingPatience, restoreBestWeights, ...before } = resolveHyperparameters({ epochs: 2 });
      const { id } = await database.db
        .insertInto('training_runs')
        .values({
          status: 'succeeded',
          hyperparameters: JSON.stringify(before),
          epochs: JSON.stringify([epoch(1), epoch(2)]),
          metrics: JSON.stringify({ valLoss: 0.55, valAccuracy: 0.4, trainingSeconds: 1, embeddingSeconds: 2, embeddedProducts: 10 }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const run = (await runs.findById(id))!;
      assert.deepEqual(run.hyperparameters, { ...before, earlyStoppingPatience, restoreBestWeights });
      assert.equal(run.hyperparameters.earlyStoppingPatience, null);
      assert.equal(run.hyperparameters.restoreBestWeights, false);
      assert.equal(run.metrics?.keptEpoch, 2);
      assert.equal(run.metrics?.stoppedEarly, false);
    });

    test('lists runs newest first', async () => {
      const ids = (await runs.list(100)).map((r) => r.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
      assert.equal((await runs.list(1)).length, 1);
    });
  });
}
