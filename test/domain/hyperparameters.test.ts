import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';

test("defaults are the method's", () => {
  assert.deepEqual(resolveHyperparameters(), {
    epochs: 32,
    batchSize: 64,
    learningRate: 0.0004,
    dropout: 0.7,
    hiddenUnits: 1024,
    validationSplit: 0.2,
    classWeight: 'BALANCED',
    seed: 42,
    earlyStoppingPatience: null,
    restoreBestWeights: false,
    embeddingNormalization: 'STANDARDIZE',
  });
});

test('each can be overridden; null means the default', () => {
  const resolved = resolveHyperparameters({ epochs: 3, learningRate: 0.01, dropout: null, classWeight: 'NONE' });
  assert.equal(resolved.epochs, 3);
  assert.equal(resolved.learningRate, 0.01);
  assert.equal(resolved.dropout, 0.7);
  assert.equal(resolved.classWeight, 'NONE');
});

test('out-of-range values are BAD_USER_INPUT naming the field', () => {
  for (const bad of [{ epochs: 0 }, { batchSize: 1.5 }, { learningRate: -1 }, { dropout: 1 }, { validationSplit: 0 }]) {
    assert.throws(() => resolveHyperparameters(bad), { code: 'BAD_USER_INPUT', message: new RegExp(Object.keys(bad)[0]!) });
  }
});

test('hostile numbers are BAD_USER_INPUT before any work: huge, negative, NaN, infinite', () => {
  const hostile = [
    { epochs: 2 ** 31 - 1 },
    { batchSize: 1e9 },
    { hiddenUnits: -1 },
    { epochs: NaN },
    { learningRate: Infinity },
    { dropout: -Infinity },
    { validationSplit: 1 },
    { seed: -1 },
    { earlyStoppingPatience: 0 },
    { earlyStoppingPatience: 2.5 },
    { earlyStoppingPatience: 1e9 },
    { embeddingNormalization: 'unit_length' as 'UNIT_LENGTH' },
    { embeddingNormalization: '__proto__' as 'UNIT_LENGTH' },
  ];
  for (const bad of hostile) {
    assert.throws(() => resolveHyperparameters(bad), { code: 'BAD_USER_INPUT', message: new RegExp(Object.keys(bad)[0]!) }, JSON.stringify(bad));
  }
});
