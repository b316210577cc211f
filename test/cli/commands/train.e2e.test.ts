import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { createServices } from '../../../src/services.js';
import { lookalike, startLookalike } from '../../support/command-line.js';
import { photoCatalog } from '../../../harness/photo-catalog.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookalike-train-'));
  const services = await createServices(loadConfig({ DATA_DIR: join(dir, 'data'), FEATURE_WORKERS: '2' }), () => {});
  try {
    await services.catalog.addProducts(await photoCatalog(4, 5));
  } finally {
    await services.close();
  }
});
after(() => rm(dir, { recursive: true, force: true }));

test('train trains on the stored features without loading ResNet50', async () => {
  // No weights anywhere: a command that loaded ResNet50 would fail here.
  const { stdout } = await lookalike(['train', '--epochs', '2'], {
    DATA_DIR: join(dir, 'data'),
    MODEL_CACHE_DIR: join(dir, 'empty-model-cache'),
    RESNET50_MODEL_URL: join(dir, 'no-such-model', 'model.json'),
  });
  assert.match(stdout, /^training run 1 succeeded: model version \d+ active, val_acc [\d.]+ \(epoch 2 of 2\), 8 products embedded$/m);
});

test('Ctrl-C stops the run in one line, exit 130, and leaves the active model version as it was', async () => {
  const child = startLookalike(['train', '--epochs', '1000', '--batch-size', '1'], { DATA_DIR: join(dir, 'data') });
  let stderr = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (/epoch 1\//.test(stderr)) resolve();
    });
    child.once('exit', () => reject(new Error(`train ended before its first epoch: ${stderr}`)));
  });
  child.kill('SIGINT');
  const [code] = await exited;
  assert.equal(code, 130, stderr.slice(-2000));
  const lines = stderr.trim().split('\n');
  assert.match(lines.at(-1)!, /^interrupted: training run (\d+) stopped, the active model version unchanged$/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

  const services = await createServices(loadConfig({ DATA_DIR: join(dir, 'data'), FEATURE_WORKERS: '1' }), () => {});
  try {
    const [stopped, succeeded] = await services.training.listRuns(2);
    assert.equal(stopped!.status, 'failed');
    assert.equal(succeeded!.status, 'succeeded');
  } finally {
    await services.close();
  }
});

test('--early-stopping-patience and --restore-best-weights reach the run, which says which epoch it kept', async () => {
  const env = { DATA_DIR: join(dir, 'data') };
  const { stdout } = await lookalike(['train', '--epochs', '6', '--early-stopping-patience', '1', '--restore-best-weights'], env);
  const [, runId, kept, trained] = /^training run (\d+) succeeded: .* \(epoch (\d+) of (\d+)\)/m.exec(stdout) ?? [];
  assert.ok(runId, stdout);
  const services = await createServices(loadConfig({ DATA_DIR: join(dir, 'data'), FEATURE_WORKERS: '1' }), () => {});
  try {
    const stored = (await services.training.getRun(Number(runId)))!;
    assert.equal(stored.hyperparameters.earlyStoppingPatience, 1);
    assert.equal(stored.hyperparameters.restoreBestWeights, true);
    assert.equal(stored.metrics!.keptEpoch, Number(kept));
    assert.equal(stored.epochs.length, Number(trained));
  } finally {
    await services.close();
  }
  await assert.rejects(lookalike(['train', '--early-stopping-patience', 'soon'], env), {
    stderr: /earlyStoppingPatience/,
  });
});
