import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { FeatureWorkerRunner } from '../../src/ml/feature-worker-runner.js';

test('a worker that cannot load its model fails its start with the reason, not the process', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-model-'));
  const modelUrl = join(dir, 'not-there', 'model.json');
  try {
    await assert.rejects(FeatureWorkerRunner.start({ backend: 'wasm', modelUrl }), (error: Error) => {
      assert.match(error.message, /^feature worker failed: .*ENOENT/);
      assert.ok(error.message.includes(modelUrl));
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
