import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { Store } from '../../src/db/store.js';
import { createTensorflowHeadEngine } from '../../src/training/tensorflow-head-engine.js';
import type { HeadEngine } from '../../src/training/head-engine.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';
import { TrainingService } from '../../src/training/training.service.js';
import { openTestDatabase } from '../support/database.js';
import { createServices, type Services } from '../../src/services.js';
import type { TrainingRun } from '../../src/domain/training-run.js';
import { silenceRun } from '../support/heartbeat.js';
import { photoCatalog } from '../../harness/photo-catalog.js';
import { staffContext, testGraphQLServer } from '../support/graphql-server.js';

const PER_CATEGORY = 12;
const START_TRAINING = fileURLToPath(new URL('../support/start-training.ts', import.meta.url));

async function until(check: () => Promise<boolean>, what: string, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The real engine, with a hook after each epoch: to pause a run, or make it fail, at a known point. */
function withEpochHook(hook: (epoch: number) => Promise<void>): HeadEngine {
  const engine = createTensorflowHeadEngine(services.extractor.backend);
  return {
    ...engine,
    train: (request) =>
      engine.train({
        ...request,
        onEpoch: async (metrics) => {
          await request.onEpoch(metrics);
          await hook(metrics.epoch);
        },
      }),
  };
}

/** The real engine, with a hook when the trained head first embeds: after the run has read the catalog, before it stores anything. */
function withEmbedHook(hook: () => Promise<void>): HeadEngine {
  const engine = createTensorflowHeadEngine(services.extractor.backend);
  let called = false;
  return {
    ...engine,
    train: async (request) => {
      const trained = await engine.train(request);
      const { head } = trained;
      return {
        ...trained,
        head: {
          ...head,
          embed: async (features) => {
            if (!called) {
              called = true;
              await hook();
            }
            return head.embed(features);
          },
        },
      };
    },
  };
}

async function versionsOf(runId: number): Promise<number> {
  const rows = await services.database.db.selectFrom('model_versions').select('id').where('training_run_id', '=', runId).execute();
  return rows.length;
}

function pausedAfterEpoch(epoch: number, released: Promise<void>): HeadEngine {
  return withEpochHook(async (e) => {
    if (e === epoch) await released;
  });
}

let services: Services;

describe('training the head on a catalog of real photos, through the real ResNet50', () => {
  let dataDir: string;
  let firstRun: TrainingRun;

  const open = (workers = 2) =>
    createServices(loadConfig({ DATA_DIR: dataDir, FEATURE_WORKERS: String(workers) }), () => {});

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lookalike-training-'));
    services = await open();
    await services.catalog.addProducts(await photoCatalog(PER_CATEGORY));
    await services.catalog.addProducts([{ sku: 'unlabelled', name: 'no category', image: (await photoCatalog(1, 99))[0]!.image }]);
  });
  after(async () => {
    await services?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('refuses to train with one category, with a clear error, and starts no run', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const store = new Store(database.db);
      const training = new TrainingService(store, createTensorflowHeadEngine(services.extractor.backend));
      await store.products.insertMany(
        ['a', 'b', 'c'].map((sku) => ({ sku, name: sku, category: 'cats', thumbnail: new Uint8Array(1), imageWidth: 1, imageHeight: 1, features: new Float32Array(2048) })),
      );
      await assert.rejects(training.startTraining(), { code: 'NOT_ENOUGH_TRAINING_DATA', message: /two categories/ });
      assert.deepEqual(await training.listRuns(10), []);
    } finally {
      await database.close();
    }
  });

  test('a run trains in the background, reports each epoch and activates its version', async () => {
    assert.equal(await services.similarity.activeSpace(), null, 'the raw ResNet50 features');
    firstRun = await services.training.startTraining({ epochs: 8 });
    assert.equal(firstRun.status, 'queued');
    await services.training.idle();
    const run = (await services.training.getRun(firstRun.id))!;
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(run.classes, ['cats', 'drinks']);
    assert.equal(run.trainingSamples! + run.validationSamples!, 2 * PER_CATEGORY);
    assert.deepEqual(run.epochs.map((e) => e.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(run.metrics!.valAccuracy > 0.5, `validation accuracy ${run.metrics!.valAccuracy} is not above chance`);
    assert.equal(run.metrics!.embeddedProducts, 2 * PER_CATEGORY + 1, 'every catalog product, labelled or not');
    assert.equal(await services.similarity.activeSpace(), run.modelVersionId);
  });

  test('queries then rank in the 512-d space and carry predicted categories', async () => {
    const cat = (await services.catalog.listProducts({ first: 1, category: 'cats' })).products[0]!;
    const result = await services.similarity.similarProducts(cat.id, 6);
    assert.equal(result.space, await services.similarity.activeSpace());
    assert.notEqual(result.space, null, 'a trained model version');
    assert.equal(result.neighbours.length, 6);
    assert.ok(result.neighbours.every((n) => n.product.id !== cat.id));
    assert.ok(result.neighbours.every((n) => n.product.predictedCategory !== null));
    assert.ok(result.neighbours.filter((n) => n.product.category === 'cats').length >= 5, 'neighbours of a cat are cats');
    const distances = result.neighbours.map((n) => n.distance);
    assert.deepEqual(distances, [...distances].sort((a, b) => a - b));
  });

  test('a product added once a version is active is embedded at once', async () => {
    const [added] = await services.catalog.addProducts([{ ...(await photoCatalog(1, 5))[0]!, sku: 'late-cat' }]);
    assert.equal(added!.predictedCategory, 'cats');
    assert.notEqual((await services.similarity.similarProducts(added!.id, 3)).space, null, 'a trained model version');
  });

  test('one run at a time; the previous version answers until the next one switches on', async () => {
    const previous = (await services.similarity.activeSpace());
    // The run waits after its second epoch until the test has queried and added a product.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const training = new TrainingService(new Store(services.database.db), pausedAfterEpoch(2, released));
    const run = await training.startTraining({ epochs: 3 });
    await assert.rejects(services.training.startTraining(), { code: 'TRAINING_IN_PROGRESS' });
    await until(async () => (await training.getRun(run.id))!.epochs.length === 2, 'the second run to train');

    const cat = (await services.catalog.listProducts({ first: 1, category: 'cats' })).products[0]!;
    assert.equal((await services.similarity.similarProducts(cat.id, 6)).space, previous);
    const [addedDuring] = await services.catalog.addProducts([{ ...(await photoCatalog(1, 7))[0]!, sku: 'added-during-run' }]);
    release();

    await training.idle();
    const done = (await training.getRun(run.id))!;
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.notEqual(done.modelVersionId, previous);
    const after = await services.similarity.similarProducts(addedDuring!.id, 6);
    assert.equal(after.space, done.modelVersionId, 'the product added mid-run is in the new version');
  });

  test('a run that throws fails with its error and leaves the active version as it was', async () => {
    const active = (await services.similarity.activeSpace());
    const failing = new TrainingService(
      new Store(services.database.db),
      withEpochHook(async (epoch) => {
        if (epoch === 2) throw new Error('disk full');
      }),
    );
    const run = await failing.startTraining({ epochs: 5 });
    await failing.idle();
    const failed = (await services.training.getRun(run.id))!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error, 'disk full');
    assert.equal(failed.epochs.length, 2);
    assert.equal(failed.modelVersionId, null);
    assert.equal((await services.similarity.activeSpace()), active);
  });

  test('stopping the service mid-run fails the run; the active version stays', async () => {
    const active = (await services.similarity.activeSpace());
    const run = await services.training.startTraining({ epochs: 1000, batchSize: 4 });
    await until(async () => (await services.training.getRun(run.id))!.status === 'running', 'the run to start');
    await services.close();
    services = await open(1);
    const stopped = (await services.training.getRun(run.id))!;
    assert.equal(stopped.status, 'failed');
    assert.match(stopped.error!, /stopping/);
    assert.equal((await services.similarity.activeSpace()), active);
  });

  test('a run another process is training, still beating, is left alone by a process that starts', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const store = new Store(services.database.db);
    const busy = new TrainingService(store, pausedAfterEpoch(1, released), { heartbeatMs: 50 });
    const starting = new TrainingService(store, createTensorflowHeadEngine(services.extractor.backend), { abandonedAfterMs: 300 });
    const run = await busy.startTraining({ epochs: 2 });
    await until(async () => (await busy.getRun(run.id))!.epochs.length === 1, 'the run to train an epoch');
    await sleep(900);
    assert.deepEqual(await starting.failAbandonedRuns(), []);
    await assert.rejects(starting.startTraining(), { code: 'TRAINING_IN_PROGRESS' });
    release();
    await busy.idle();
    assert.equal((await busy.getRun(run.id))!.status, 'succeeded');
  });

  test('a process killed mid-run: once its heartbeat is older than the limit, the next start fails the run; the active version stays', async () => {
    const active = (await services.similarity.activeSpace());
    await services.close();
    const child = spawn(process.execPath, ['--import', 'tsx', START_TRAINING, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const runId = Number(/^running (\d+)$/.exec(line)![1]);
    child.kill('SIGKILL');
    await once(child, 'exit');

    // Just after the kill, a starting process cannot tell a dead trainer from a live one.
    services = await open(1);
    assert.equal((await services.training.getRun(runId))!.status, 'running');
    await silenceRun(services.database.db, runId, 61);
    await services.close();
    services = await open(1);

    const killed = (await services.training.getRun(runId))!;
    assert.equal(killed.status, 'failed');
    assert.match(killed.error!, /interrupted/);
    assert.equal((await services.similarity.activeSpace()), active);
    const cat = (await services.catalog.listProducts({ first: 1, category: 'cats' })).products[0]!;
    const result = await services.similarity.similarProducts(cat.id, 6);
    assert.equal(result.space, active);
  });

  test('trainModel fails an abandoned run in its way, then starts, under the next id: the refusals before drew none', async () => {
    const store = new Store(services.database.db);
    const abandoned = (await store.trainingRuns.create(resolveHyperparameters()))!;
    await assert.rejects(services.training.startTraining({ epochs: 2 }), { code: 'TRAINING_IN_PROGRESS' });
    await silenceRun(services.database.db, abandoned.id, 61);
    const run = await services.training.startTraining({ epochs: 2 });
    assert.equal(run.id, abandoned.id + 1);
    assert.equal((await services.training.getRun(abandoned.id))!.status, 'failed');
    await services.training.idle();
    assert.equal((await services.training.getRun(run.id))!.status, 'succeeded');
  });

  test('a product deleted while the run embeds the catalog is skipped, and the run succeeds', async () => {
    const [doomed] = await services.catalog.addProducts([{ ...(await photoCatalog(1, 11))[0]!, sku: 'deleted-mid-run' }]);
    const training = new TrainingService(
      new Store(services.database.db),
      withEmbedHook(() => services.catalog.deleteProduct(doomed!.id)),
    );
    const run = await training.startTraining({ epochs: 2 });
    await training.idle();
    const done = (await training.getRun(run.id))!;
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(await services.catalog.getProduct(doomed!.id), undefined);
    assert.equal(done.metrics!.embeddedProducts, await services.catalog.countProducts());
    assert.equal((await services.similarity.activeSpace()), done.modelVersionId);
  });

  test('a category with a single product is left out of the run and listed on it, over GraphQL too', async () => {
    const [hat] = await services.catalog.addProducts([{ ...(await photoCatalog(1, 13))[0]!, sku: 'lone-hat', category: 'hats' }]);
    const run = await services.training.startTraining({ epochs: 2 });
    await services.training.idle();
    const done = (await services.training.getRun(run.id))!;
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.deepEqual(done.classes, ['cats', 'drinks']);
    assert.deepEqual(done.excludedCategories, [{ category: 'hats', products: 1 }]);
    assert.equal(done.metrics!.embeddedProducts, await services.catalog.countProducts(), 'the left-out product is still embedded');
    assert.ok(['cats', 'drinks'].includes((await services.catalog.getProduct(hat!.id))!.predictedCategory!));

    const response = await testGraphQLServer().executeOperation(
      { query: 'query ($id: ID!) { trainingRun(id: $id) { excludedCategories { category products } } }', variables: { id: String(run.id) } },
      { contextValue: staffContext(services) },
    );
    assert.equal(response.body.kind, 'single');
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    assert.deepEqual(JSON.parse(JSON.stringify(result?.data)), { trainingRun: { excludedCategories: [{ category: 'hats', products: 1 }] } });
    await services.catalog.deleteProduct(hat!.id);
  });

  test('trainModel with earlyStoppingPatience and restoreBestWeights: the run records the kept epoch and reports its metrics', async () => {
    const server = testGraphQLServer();
    const execute = async (query: string, variables: Record<string, unknown>) => {
      const response = await server.executeOperation({ query, variables }, { contextValue: staffContext(services) });
      assert.equal(response.body.kind, 'single');
      return response.body.kind === 'single' ? JSON.parse(JSON.stringify(response.body.singleResult)) : undefined;
    };
    const started = await execute(
      'mutation ($input: TrainModelInput) { trainModel(input: $input) { trainingRun { id hyperparameters { earlyStoppingPatience restoreBestWeights } } } }',
      { input: { epochs: 40, learningRate: 0.01, earlyStoppingPatience: 2, restoreBestWeights: true } },
    );
    const { id, hyperparameters } = started.data.trainModel.trainingRun;
    assert.deepEqual(hyperparameters, { earlyStoppingPatience: 2, restoreBestWeights: true });
    await services.training.idle();
    const { data } = await execute(
      'query ($id: ID!) { trainingRun(id: $id) { status progress epochs { epoch valLoss valAccuracy } metrics { keptEpoch stoppedEarly valLoss valAccuracy } } }',
      { id },
    );
    const { status, progress, epochs, metrics } = data.trainingRun as {
      status: string;
      progress: number;
      epochs: { epoch: number; valLoss: number; valAccuracy: number }[];
      metrics: { keptEpoch: number; stoppedEarly: boolean; valLoss: number; valAccuracy: number };
    };
    assert.equal(status, 'SUCCEEDED');
    assert.equal(progress, 1);
    const best = epochs.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    assert.equal(metrics.keptEpoch, best.epoch, 'the first epoch with the lowest validation loss');
    assert.deepEqual({ valLoss: metrics.valLoss, valAccuracy: metrics.valAccuracy }, { valLoss: best.valLoss, valAccuracy: best.valAccuracy });
    assert.equal(metrics.stoppedEarly, epochs.length < 40);
    if (metrics.stoppedEarly) assert.equal(epochs.length, best.epoch + 2, 'stopped two epochs after the best');

    const refused = await execute('mutation { trainModel(input: { earlyStoppingPatience: 0 }) { trainingRun { id } } }', {});
    assert.equal(refused.errors[0].extensions.code, 'BAD_USER_INPUT');
    assert.match(refused.errors[0].message, /earlyStoppingPatience/);
  });

  test('trainModel with embeddingNormalization UNIT_LENGTH: the version stores unit-length embeddings, for products added later too', async () => {
    const server = testGraphQLServer();
    const execute = async (query: string) => {
      const response = await server.executeOperation({ query }, { contextValue: staffContext(services) });
      return response.body.kind === 'single' ? JSON.parse(JSON.stringify(response.body.singleResult)) : undefined;
    };
    const started = await execute(
      'mutation { trainModel(input: { epochs: 3, embeddingNormalization: UNIT_LENGTH }) { trainingRun { id hyperparameters { embeddingNormalization } } } }',
    );
    assert.equal(started.data.trainModel.trainingRun.hyperparameters.embeddingNormalization, 'UNIT_LENGTH');
    await services.training.idle();
    const run = (await services.training.getRun(started.data.trainModel.trainingRun.id))!;
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const [late] = await services.catalog.addProducts([{ ...(await photoCatalog(1, 7))[0]!, sku: 'late-unit-length' }]);
    const rows = await services.database.db.selectFrom('embeddings').select(['product_id', 'embedding']).where('model_version_id', '=', run.modelVersionId!).execute();
    assert.ok(rows.some((row) => row.product_id === late!.id), 'the product added after the switch is embedded');
    for (const row of rows) {
      const length = Math.hypot(...(JSON.parse(row.embedding) as number[]));
      assert.ok(Math.abs(length - 1) < 1e-5, `product ${row.product_id}: length ${length}`);
    }
    const similar = await services.similarity.similarProducts(late!.id, 6);
    assert.ok(similar.neighbours.every((n) => n.distance <= 2 + 1e-6), 'unit vectors are at most 2 apart');

    const refused = await execute('mutation { trainModel(input: { embeddingNormalization: SIDEWAYS }) { trainingRun { id } } }');
    assert.match(refused.errors[0].message, /EmbeddingNormalization/);
  });

  test('a run stopped after it created its model version leaves neither the version nor its embeddings', async () => {
    const active = (await services.similarity.activeSpace());
    const training: TrainingService = new TrainingService(
      new Store(services.database.db),
      withEmbedHook(async () => void training.close()),
    );
    const run = await training.startTraining({ epochs: 2 });
    await training.idle();
    const stopped = (await training.getRun(run.id))!;
    assert.equal(stopped.status, 'failed');
    assert.match(stopped.error!, /stopping/);
    assert.equal(await versionsOf(run.id), 0, 'its version and, by cascade, its embeddings are gone');
    const orphans = await services.database.db
      .selectFrom('embeddings')
      .select('model_version_id')
      .where('model_version_id', 'not in', services.database.db.selectFrom('model_versions').select('id'))
      .execute();
    assert.deepEqual(orphans, []);
    assert.equal((await services.similarity.activeSpace()), active);
  });

  test('after a switch, versions beyond the active one and the newest kept ones are pruned with their embeddings', async () => {
    const previous = (await services.similarity.activeSpace())!;
    const before = await services.database.db.selectFrom('model_versions').select('id').execute();
    assert.ok(before.length >= 3, `${before.length} versions to prune from`);
    const training = new TrainingService(new Store(services.database.db), createTensorflowHeadEngine(services.extractor.backend), {
      keepModelVersions: 1,
    });
    const run = await training.startTraining({ epochs: 2 });
    await training.idle();
    const done = (await training.getRun(run.id))!;
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const left = await services.database.db.selectFrom('model_versions').select('id').orderBy('id').execute();
    assert.deepEqual(left.map((v) => v.id), [previous, done.modelVersionId]);
    const embedded = await services.database.db
      .selectFrom('embeddings')
      .select('model_version_id')
      .distinct()
      .orderBy('model_version_id')
      .execute();
    assert.deepEqual(embedded.map((e) => e.model_version_id), [previous, done.modelVersionId]);
    assert.equal((await training.getRun(firstRun.id))!.modelVersionId, null, 'a pruned run no longer names a version');
  });

  test('failing a run abandoned after it created its model version deletes that version with its embeddings', async () => {
    const store = new Store(services.database.db);
    const abandoned = (await store.trainingRuns.create(resolveHyperparameters()))!;
    const scaler = (n: number) => ({ mean: new Float32Array(n), scale: new Float32Array(n).fill(1) });
    const versionId = await store.modelVersions.create({
      trainingRunId: abandoned.id,
      classes: ['cats', 'drinks'],
      head: { weights: new Uint8Array(4), layout: [] },
      featureScaler: scaler(2048),
      embeddingScaler: scaler(512),
      embeddingNormalization: 'STANDARDIZE',
    });
    const product = (await services.catalog.listProducts({ first: 1 })).products[0]!;
    await store.embeddings.insertMany(versionId, [{ productId: product.id, embedding: new Float32Array(512), predictedCategory: 'cats' }]);
    await silenceRun(services.database.db, abandoned.id, 61);
    assert.deepEqual(await services.training.failAbandonedRuns(), [abandoned.id]);
    assert.equal(await versionsOf(abandoned.id), 0);
    assert.equal(await store.embeddings.count(versionId), 0);
  });
});
