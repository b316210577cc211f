import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cautions, evaluationMarkdown, percent, percentWithInterval } from '../../src/evaluation/report.js';
import { estimate, evaluationResult } from './evaluation-result.fixture.js';

const pictures = { curves: 'curves.png', grid: 'trained.png', rawGrid: 'raw.png' };
/** Today's small run: the trained space beats raw features on neither measure. */
const losing = { raw: [0.80, 0.792], trained: [0.788, 0.79] } as { raw: [number, number]; trained: [number, number] };
const winning = { raw: [0.78, 0.773], trained: [0.839, 0.84] } as { raw: [number, number]; trained: [number, number] };

test('each mean precision stands beside its 95% interval', () => {
  assert.equal(percentWithInterval({ mean: 0.788, low: 0.7712, high: 0.8041 }), '78.8% (77.1–80.4)');
  const markdown = evaluationMarkdown(evaluationResult(winning), pictures);
  assert.match(markdown, /\| mean precision@6, held-out test images as queries \| 77\.3% \(75\.3–79\.3\) \| 84\.0% \(82\.0–86\.0\) \|/);
  assert.match(markdown, /95% interval: the percentile bootstrap over the queries, 1,000 resamples/);
});

test('no queries read n/a rather than NaN%', () => {
  assert.equal(percent(NaN), 'n/a');
  assert.equal(percentWithInterval(estimate(NaN)), 'n/a');
});

test('the held-out count is the one asked for, and a showcase outside it says so', () => {
  const markdown = evaluationMarkdown(evaluationResult(winning), pictures);
  assert.match(markdown, /catalog of 1000, 500 held-out test images as queries/);
  assert.match(markdown, /It is not one of the 500 held-out queries, so their metrics leave it out\./);
  const among = evaluationMarkdown({ ...evaluationResult(winning), showcaseIsHeldOut: true }, pictures);
  assert.match(among, /It is one of the held-out queries\./);
});

test('a run where the trained space does not beat raw features carries a caution with both figures', () => {
  const result = evaluationResult(losing);
  const [caution, ...more] = cautions(result);
  assert.equal(more.length, 0);
  assert.match(caution!, /does not beat the raw ResNet50 features/);
  assert.match(caution!, /catalog items as queries: 78\.8% trained vs 80\.0% raw; held-out queries: 79\.0% trained vs 79\.2% raw/);
  assert.match(caution!, /2000 training images/);
  assert.match(evaluationMarkdown(result, pictures), /> \*\*Caution\.\*\* On this run the trained space does not beat/);
});

test('a tie is no win, and losing on one measure alone is named alone', () => {
  const tie = cautions(evaluationResult({ raw: [0.8, 0.7], trained: [0.8, 0.9] }));
  assert.equal(tie.length, 1);
  assert.match(tie[0]!, /\(catalog items as queries: 80\.0% trained vs 80\.0% raw\)/);
});

test('a run where the trained space wins, or has no held-out queries to compare, carries none', () => {
  assert.deepEqual(cautions(evaluationResult(winning)), []);
  assert.doesNotMatch(evaluationMarkdown(evaluationResult(winning), pictures), /Caution/);
  assert.deepEqual(cautions(evaluationResult({ raw: [0.78, NaN], trained: [0.84, NaN] })), []);
});

test('the report says which epoch the head kept, and whether training stopped early', () => {
  const result = evaluationResult(winning);
  assert.match(evaluationMarkdown(result, pictures), /held-out test images 84\.0%\. Kept epoch 1 of 1 trained\./);
  const epochs = [1, 2, 3, 4].map((epoch) => ({ ...result.epochs[0]!, epoch }));
  const stopped = { ...result, epochs, head: { ...result.head, keptEpoch: 2, stoppedEarly: true } };
  assert.match(evaluationMarkdown(stopped, pictures), /Kept epoch 2 of 4 trained, stopped early by earlyStoppingPatience\./);
});

test('the trained column names the embedding space it was measured in', () => {
  const standardized = evaluationResult(winning);
  assert.match(evaluationMarkdown(standardized, pictures), /\| trained head \(512-d, standardized\) \|/);
  const unitLength = { ...standardized, hyperparameters: { ...standardized.hyperparameters, embeddingNormalization: 'UNIT_LENGTH' as const } };
  assert.match(evaluationMarkdown(unitLength, pictures), /\| trained head \(512-d, unit length\) \|/);
});
