import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureOnnxResnet50 } from '../../../src/ml/onnx/onnx-model-cache.js';
import { writeSmallKerasModel } from './small-keras-model.js';

let dir: string;
let cacheDir: string;
let modelUrl: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookalike-onnx-cache-'));
  cacheDir = join(dir, 'cache');
  modelUrl = await writeSmallKerasModel(join(dir, 'model'), { seed: 1 });
});
after(() => rm(dir, { recursive: true, force: true }));

const onnxFiles = async () => (await readdir(cacheDir)).filter((name) => name.endsWith('.onnx')).sort();

test('the first call converts, later calls find the same file', async () => {
  const first = await ensureOnnxResnet50({ cacheDir, modelUrl });
  assert.equal(first.source, 'converted');
  assert.match(basename(first.path), /^resnet50-avg_pool-[0-9a-f]{16}\.onnx$/);
  const written = (await stat(first.path)).mtimeMs;
  const second = await ensureOnnxResnet50({ cacheDir, modelUrl });
  assert.deepEqual(second, { path: first.path, source: 'cache' });
  assert.equal((await stat(second.path)).mtimeMs, written);
  // Nothing left behind from the atomic write.
  assert.deepEqual(await readdir(cacheDir), [basename(first.path)]);
});

test('changed weights make the cached file stale: it is rebuilt and the old one removed', async () => {
  const before = await ensureOnnxResnet50({ cacheDir, modelUrl });
  await writeSmallKerasModel(join(dir, 'model'), { seed: 2 });
  const after = await ensureOnnxResnet50({ cacheDir, modelUrl });
  assert.equal(after.source, 'converted');
  assert.notEqual(after.path, before.path);
  assert.deepEqual(await onnxFiles(), [basename(after.path)]);
});

test('a conversion by another converter version or of another model is not used, and is removed', async () => {
  const current = await ensureOnnxResnet50({ cacheDir, modelUrl });
  const older = join(cacheDir, 'resnet50-avg_pool-0123456789abcdef.onnx');
  await writeFile(older, 'made by an older converter');
  await rm(current.path);
  const rebuilt = await ensureOnnxResnet50({ cacheDir, modelUrl });
  assert.deepEqual(rebuilt, { path: current.path, source: 'converted' });
  assert.deepEqual(await onnxFiles(), [basename(current.path)]);
});

test('a model given as a URL is refused: conversion reads model.json from disk', async () => {
  await assert.rejects(
    ensureOnnxResnet50({ cacheDir, modelUrl: 'https://example.com/ResNet50/model.json' }),
    /converts a model.json on disk/,
  );
});
