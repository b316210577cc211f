import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { learningCurvesPng, learningCurvesSvg } from '../../src/reports/learning-curves.js';
import type { EpochMetrics } from '../../src/domain/training-run.js';

// Two decimals, so that the values read back from the SVG's labels exactly.
const round = (x: number) => Math.round(x * 100) / 100;

function epochs(count: number, offset = 0): EpochMetrics[] {
  return Array.from({ length: count }, (_, i) => ({
    epoch: i + 1,
    loss: round(1.5 / (i + 1) + offset),
    accuracy: round(0.6 + 0.03 * i),
    valLoss: round(1.6 / (i + 1) + offset),
    valAccuracy: round(0.58 + 0.025 * i),
    seconds: 3,
  }));
}

test('renders a PNG of two panels side by side', async () => {
  const png = await learningCurvesPng(epochs(8), { title: 'Head training' });
  const { format, width = 0, height = 0 } = await sharp(png).metadata();
  assert.equal(format, 'png');
  assert.ok(width > 1000 && width > 2 * height, `${width}x${height}`);
});

test('draws every epoch of train and validation, with axis titles and legend', async () => {
  const svg = await learningCurvesSvg(epochs(5), { title: 'Head training' });
  for (const text of ['Head training', 'Epoch', 'Loss', 'Accuracy', 'train', 'validation']) {
    assert.ok(svg.includes(`>${text}<`), text);
  }
  for (const e of epochs(5)) {
    assert.ok(svg.includes(`Epoch: ${e.epoch}; Loss: ${e.loss}; split: train`), `train loss ${e.epoch}`);
    assert.ok(svg.includes(`Epoch: ${e.epoch}; Loss: ${e.valLoss}; split: validation`), `validation loss ${e.epoch}`);
  }
});

test('overlays a second run, dashed and named in the legend', async () => {
  const compare = { label: 'reference', epochs: epochs(4, 0.01) };
  const svg = await learningCurvesSvg(epochs(4), { label: 'tfjs', compare });
  assert.ok(svg.includes('>tfjs<') && svg.includes('>reference<'));
  assert.match(svg, /stroke-dasharray="(?!1,0")[\d.,]+"/);
});

test('one epoch still renders', async () => {
  const { format } = await sharp(await learningCurvesPng(epochs(1))).metadata();
  assert.equal(format, 'png');
});

test('no epochs is an error', async () => {
  await assert.rejects(learningCurvesPng([]), /at least one epoch/);
});
