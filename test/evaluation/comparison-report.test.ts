import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonMarkdown, variantFolder, variantLabel } from '../../src/evaluation/comparison-report.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';
import { estimate, evaluationResult } from './evaluation-result.fixture.js';

const method = evaluationResult({ raw: [0.78, 0.773], trained: [0.839, 0.84] });
const epochs = Array.from({ length: 32 }, (_, i) => ({ ...method.epochs[0]!, epoch: i + 1 }));
const asIs = { ...method, epochs, head: { ...method.head, keptEpoch: 32 } };
const best = {
  ...asIs,
  epochs: epochs.slice(0, 20),
  head: { ...asIs.head, keptEpoch: 15, stoppedEarly: true, validationLoss: 0.3512 },
  precision: { ...asIs.precision, trained: { catalog: estimate(0.861), heldOut: estimate(0.853) } },
};

test('variants are named and filed by what differs from the method', () => {
  const named = (overrides: Parameters<typeof resolveHyperparameters>[0]) => {
    const hyperparameters = resolveHyperparameters(overrides);
    return [variantLabel(hyperparameters), variantFolder(hyperparameters)];
  };
  assert.deepEqual(named({}), ['the method as-is', 'method']);
  assert.deepEqual(named({ restoreBestWeights: true }), ['restoreBestWeights', 'restore-best-weights']);
  assert.deepEqual(named({ earlyStoppingPatience: 5 }), ['earlyStoppingPatience 5', 'early-stopping-5']);
  assert.deepEqual(named({ restoreBestWeights: true, earlyStoppingPatience: 5 }), [
    'restoreBestWeights, earlyStoppingPatience 5',
    'restore-best-weights-early-stopping-5',
  ]);
  assert.deepEqual(named({ embeddingNormalization: 'UNIT_LENGTH' }), ['embeddingNormalization UNIT_LENGTH', 'unit-length']);
  assert.deepEqual(named({ embeddingNormalization: 'STANDARDIZE' }), ['the method as-is', 'method']);
});

test('the comparison puts both precisions with their intervals, the accuracies and the kept epochs side by side', () => {
  const markdown = comparisonMarkdown([
    { label: 'the method as-is', folder: 'method', result: asIs },
    { label: 'restoreBestWeights, earlyStoppingPatience 5', folder: 'restore-best-weights-early-stopping-5', result: best },
  ]);
  assert.match(markdown, /\| \| the method as-is \| restoreBestWeights, earlyStoppingPatience 5 \|\n\| --- \| --: \| --: \|/);
  assert.match(markdown, /\| mean precision@6, catalog items as queries \(self excluded\) \| 83\.9% \(81\.9–85\.9\) \| 86\.1% \(84\.1–88\.1\) \|/);
  assert.match(markdown, /\| mean precision@6, held-out test images as queries \| 84\.0% \(82\.0–86\.0\) \| 85\.3% \(83\.3–87\.3\) \|/);
  assert.match(markdown, /\| head accuracy, held-out test images \| 84\.0% \| 84\.0% \|/);
  assert.match(markdown, /\| kept epoch \| 32 of 32 \| 15 of 20 \(stopped early\) \|/);
  assert.match(markdown, /\| validation loss \| 0\.4000 \| 0\.3512 \|/);
  assert.match(markdown, /raw ResNet50 features, the same for every column: catalog 78\.0% \(76\.0–80\.0\), held-out 77\.3%/);
  for (const folder of ['method', 'restore-best-weights-early-stopping-5']) {
    for (const file of ['report.md', 'learning-curves.png', 'recommendations-trained.png']) assert.ok(markdown.includes(`(${folder}/${file})`), `${folder}/${file}`);
  }
});
