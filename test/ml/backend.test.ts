import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectBackend } from '../../src/ml/backend.js';

async function loads(specifier: string): Promise<boolean> {
  return import(specifier).then(
    () => true,
    () => false,
  );
}

const nativeLoads = (await loads('@tensorflow/tfjs-node-gpu')) || (await loads('@tensorflow/tfjs-node'));

const crashListeners = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];

test("an explicit wasm choice runs on wasm and leaves the process's crash handling to Node", async () => {
  const before = crashListeners();
  assert.equal(await selectBackend('wasm'), 'wasm');
  assert.deepEqual(crashListeners(), before);
});

test('an explicit cpu choice runs on cpu', async () => {
  assert.equal(await selectBackend('cpu'), 'cpu');
});

test('auto prefers native tensorflow, then wasm', async () => {
  assert.equal(await selectBackend('auto'), nativeLoads ? 'tensorflow' : 'wasm');
});

test('an explicit tensorflow choice fails clearly when no native package loads', { skip: nativeLoads }, async () => {
  await assert.rejects(selectBackend('tensorflow'), /backend "tensorflow" is not available \(@tensorflow\/tfjs-node-gpu: .*@tensorflow\/tfjs-node: /);
});
