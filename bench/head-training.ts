// Training speed of the categorical head: plain tfjs-layers model.fit against
// trainHead (hand-written backward pass, no transposed matMul) on the same
// data in the same run, both beside the FLOP floor at the backend's measured
// matMul rate; then both variants' loss curves on a smaller fixed-seed run.
//
//   node --import tsx bench/head-training.ts [--backend wasm] [--train 12000] [--validation 3000]
//     [--inputs 2048] [--classes 10] [--batch 64] [--baseline-steps 8]
//     [--curve-train 640] [--curve-validation 160] [--curve-epochs 5] [--out bench/results/head-training.json]
import { mkdir, writeFile } from 'node:fs/promises';
import { learningCurvesPng } from '../src/reports/learning-curves.js';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendChoice } from '../src/config.js';
import { selectBackend } from '../src/ml/backend.js';
import { CategoricalHead } from '../src/ml/head/categorical-head.js';
import { resolveHeadHyperparameters } from '../src/ml/head/head-hyperparameters.js';
import { fitLayersHead } from '../harness/layers-head.js';
import type { Matrix } from '../src/ml/head/matrix.js';
import { initialHead } from '../src/ml/head/serialized-head.js';
import { StandardScaler } from '../src/ml/head/standard-scaler.js';
import { trainHead, type EpochMetrics, type HeadTrainingInput, type LabelledRows } from '../src/ml/head/train-head.js';
import { gaussianClusters } from '../harness/gaussian-clusters.js';
import { positiveInteger } from './flags.js';
import { machine, printTable } from './table.js';

const { values: flags } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    train: { type: 'string', default: '12000' },
    validation: { type: 'string', default: '3000' },
    inputs: { type: 'string', default: '2048' },
    classes: { type: 'string', default: '10' },
    batch: { type: 'string', default: '64' },
    'baseline-steps': { type: 'string', default: '8' },
    'curve-train': { type: 'string', default: '640' },
    'curve-validation': { type: 'string', default: '160' },
    'curve-epochs': { type: 'string', default: '5' },
    out: { type: 'string', default: 'bench/results/head-training.json' },
  },
});
const backendChoice = flags.backend as BackendChoice;
if (!BACKENDS.includes(backendChoice)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
const sizes = {
  train: positiveInteger(flags, 'train'),
  validation: positiveInteger(flags, 'validation'),
  inputs: positiveInteger(flags, 'inputs'),
  classes: positiveInteger(flags, 'classes'),
  batch: positiveInteger(flags, 'batch'),
};

const backend = await selectBackend(backendChoice);
const { hiddenUnits: hidden, midUnits: mid } = resolveHeadHyperparameters();
console.log(`backend ${backend}; ${machine()}`);
console.log(
  `head ${sizes.inputs} -> ${hidden} -> ${mid} -> ${sizes.classes}; ` +
    `${sizes.train} training + ${sizes.validation} validation samples; batch ${sizes.batch}\n`,
);

// --- matMul rates ------------------------------------------------------------

// A type, not an interface, so that tf.tidy accepts a list of them as its result.
type Rate = {
  product: string;
  ms: number;
  gflops: number;
};

/** Mean time of `run` over at least 3 calls and 0.5 s, after one warm-up call. */
function time(run: () => tf.Tensor): number {
  // A block body: tf.tidy walks a returned typed array element by element.
  const call = () => tf.tidy(() => void run().dataSync());
  call();
  let calls = 0;
  const began = performance.now();
  while (calls < 3 || performance.now() - began < 500) {
    call();
    calls++;
  }
  return (performance.now() - began) / calls;
}

function rate(product: string, [m, k, n]: [number, number, number], run: () => tf.Tensor): Rate {
  const ms = time(run);
  return { product, ms, gflops: (2 * m * k * n) / ms / 1e6 };
}

const B = sizes.batch;
const D = sizes.inputs;
const rates: Rate[] = tf.tidy(() => {
  const x = tf.randomNormal([B, D]);
  const xT = tf.transpose(x);
  const w1 = tf.randomNormal([D, hidden]);
  const w1T = tf.transpose(w1);
  const g1 = tf.randomNormal([B, hidden]);
  const g1T = tf.transpose(g1);
  const w2 = tf.randomNormal([hidden, mid]);
  const g2 = tf.randomNormal([B, mid]);
  return [
    rate(`x.W1  [${B}x${D}].[${D}x${hidden}], same W each call`, [B, D, hidden], () => tf.matMul(x, w1)),
    rate(`W1t.xt  [${hidden}x${D}].[${D}x${B}] (trainHead forward)`, [hidden, D, B], () => tf.matMul(w1T, xT)),
    rate(`g1t.x  [${hidden}x${B}].[${B}x${D}] (trainHead dW1)`, [hidden, B, D], () => tf.matMul(g1T, x)),
    rate(`x^T.g1 with transposeA (model.fit dW1)`, [D, B, hidden], () => tf.matMul(x, g1, true, false)),
    rate(`x^T.g1 with tf.transpose(x) first`, [D, B, hidden], () => tf.matMul(tf.transpose(x), g1)),
    rate(`g2.W2^T with transposeB (model.fit dX2)`, [B, mid, hidden], () => tf.matMul(g2, w2, false, true)),
    rate(`g2.W2^T with tf.transpose(W2) first`, [B, mid, hidden], () => tf.matMul(g2, tf.transpose(w2))),
  ];
});
const peak = Math.max(...rates.map((r) => r.gflops));
printTable(
  ['matMul', 'ms', 'GFLOP/s'],
  rates.map((r) => [r.product, r.ms.toFixed(2), r.gflops.toFixed(2)]),
);

// --- data --------------------------------------------------------------------

const task = gaussianClusters(sizes.classes, D, 6, 1);
const perClass = (total: number) =>
  Array.from({ length: sizes.classes }, (_, c) => Math.floor(total / sizes.classes) + (c < total % sizes.classes ? 1 : 0));
const rawTrain = task.sample(perClass(sizes.train), 2);
const rawValidation = task.sample(perClass(sizes.validation), 3);
let began = performance.now();
const scaler = StandardScaler.fit(rawTrain.x);
const train = { x: scaler.transform(rawTrain.x), labels: rawTrain.labels };
const validation = { x: scaler.transform(rawValidation.x), labels: rawValidation.labels };
const scalerMs = performance.now() - began;
console.log(`\nscaler fit + transform of ${sizes.train + sizes.validation} x ${D}: ${scalerMs.toFixed(0)} ms`);

function firstRows({ x, labels }: { x: Matrix; labels: Int32Array }, rows: number): LabelledRows & { x: Matrix } {
  return { x: { rows, cols: x.cols, data: x.data.subarray(0, rows * x.cols) }, labels: labels.subarray(0, rows) };
}

// --- speed ---------------------------------------------------------------------

const stepsPerEpoch = Math.ceil(sizes.train / B);
const evaluator = CategoricalHead.fromSerialized(initialHead({ inputs: D, hidden, mid, classes: sizes.classes }, 1));
evaluator.evaluate(firstRows(validation, B).x, firstRows(validation, B).labels);
began = performance.now();
evaluator.evaluate(validation.x, validation.labels);
const validationSeconds = (performance.now() - began) / 1000;
evaluator.dispose();

// model.fit is too slow here for a whole epoch in a benchmark, so it runs a few steps: the
// second epoch of a run over `baseline-steps` batches (the first warms up),
// with a one-batch validation, extrapolated to the method's epoch.
const baselineSteps = positiveInteger(flags, 'baseline-steps');
const baselineRun = await fitLayersHead(
  { train: firstRows(train, baselineSteps * B), validation: firstRows(validation, B), classes: sizes.classes },
  { hyperparameters: { batchSize: B, epochs: 2 } },
);
const baselineStep = baselineRun.history[1]!.seconds / baselineSteps;
const baselineEpoch = baselineStep * stepsPerEpoch + validationSeconds;

// trainHead runs one whole epoch at the method's size, validation included.
const full = await trainHead(
  { train, validation, classes: sizes.classes },
  { hyperparameters: { batchSize: B, epochs: 1 } },
);
const fullEpoch = full.history[0]!.seconds;

const forward = 2 * (D * hidden + hidden * mid + mid * sizes.classes);
// Per training sample: the forward pass, the weight gradients (as many FLOPs
// again) and the input gradients of the two upper layers (the first layer's is not needed).
const minimalPerSample = 2 * forward + 2 * (hidden * mid + mid * sizes.classes);
const epochFlops = sizes.train * minimalPerSample + sizes.validation * forward;
const floorSeconds = epochFlops / (peak * 1e9);
// The issue's count: 3 x forward per training sample (~15.8 MFLOP at the method's size).
const issueFloorSeconds = (sizes.train * 3 * forward + sizes.validation * forward) / (peak * 1e9);

console.log(
  `\nOne epoch (${sizes.train} training samples in ${stepsPerEpoch} steps, ` +
    `then ${sizes.validation} validation samples, ${(validationSeconds * 1000).toFixed(0)} ms):`,
);
const variants: { name: string; step?: number; epoch: number }[] = [
  { name: 'model.fit (tfjs-layers), extrapolated', step: baselineStep, epoch: baselineEpoch },
  { name: 'trainHead, one epoch measured', step: (fullEpoch - validationSeconds) / stepsPerEpoch, epoch: fullEpoch },
  { name: 'FLOP floor at the peak matMul rate', epoch: floorSeconds },
];
printTable(
  ['variant', 'ms/step', 's/epoch', 'speed-up', 'x floor', '32 epochs'],
  variants.map(({ name, step, epoch }) => [
    name,
    step === undefined ? '' : (step * 1000).toFixed(1),
    epoch.toFixed(2),
    `${(baselineEpoch / epoch).toFixed(1)}x`,
    `${(epoch / floorSeconds).toFixed(2)}x`,
    `${((epoch * 32) / 60).toFixed(1)} min`,
  ]),
);
console.log(
  `FLOPs per epoch ${(epochFlops / 1e9).toFixed(1)} G (${(minimalPerSample / 1e6).toFixed(2)} MFLOP per training sample, ` +
    `${(forward / 1e6).toFixed(2)} per validation sample) at ${peak.toFixed(1)} GFLOP/s peak; ` +
    `with the issue's 3 x forward = ${((3 * forward) / 1e6).toFixed(1)} MFLOP per sample ` +
    `the floor is ${issueFloorSeconds.toFixed(2)} s ` +
    `and trainHead is at ${(fullEpoch / issueFloorSeconds).toFixed(2)}x of it.`,
);

// --- learning behaviour: both variants from the same initial weights -----------

const curveEpochs = positiveInteger(flags, 'curve-epochs');
const curveInput: HeadTrainingInput = {
  train: firstRows(train, Math.min(positiveInteger(flags, 'curve-train'), sizes.train)),
  validation: firstRows(validation, Math.min(positiveInteger(flags, 'curve-validation'), sizes.validation)),
  classes: sizes.classes,
};
const curveHyperparameters = { epochs: curveEpochs, batchSize: B };
const start = initialHead({ inputs: D, hidden, mid, classes: sizes.classes }, resolveHeadHyperparameters().seed);
const curves = {
  trainHead: (await trainHead(curveInput, { hyperparameters: curveHyperparameters, initialHead: start })).history,
  modelFit: (await fitLayersHead(curveInput, { hyperparameters: curveHyperparameters, initialHead: start })).history,
};
console.log(
  `\nLoss curves, the method's hyperparameters, same initial weights ` +
    `(${curveInput.train.labels.length} training, ${curveInput.validation.labels.length} validation samples):`,
);
const cells = (m: EpochMetrics) => [
  m.loss.toFixed(4),
  m.accuracy.toFixed(3),
  m.valLoss.toFixed(4),
  m.valAccuracy.toFixed(3),
];
printTable(
  ['epoch', 'fit loss', 'fit acc', 'fit val loss', 'fit val acc', 'fast loss', 'fast acc', 'fast val loss', 'fast val acc'],
  curves.modelFit.map((m, i) => [String(m.epoch), ...cells(m), ...cells(curves.trainHead[i]!)]),
);

const results = {
  date: new Date().toISOString(),
  command: `node --import tsx bench/head-training.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  backend,
  sizes: { ...sizes, hidden, mid, stepsPerEpoch },
  matMul: rates,
  epoch: {
    validationSeconds,
    modelFit: { secondsPerStep: baselineStep, secondsPerEpoch: baselineEpoch },
    trainHead: { secondsPerEpoch: fullEpoch },
    speedUp: baselineEpoch / fullEpoch,
    flops: { perTrainingSample: minimalPerSample, perValidationSample: forward, perEpoch: epochFlops },
    peakGflops: peak,
    floorSeconds,
    trainHeadOverFloor: fullEpoch / floorSeconds,
    issueFloorSeconds,
  },
  curves,
};
await mkdir(dirname(flags.out), { recursive: true });
await writeFile(flags.out, `${JSON.stringify(results, null, 2)}\n`);
const picture = flags.out.replace(/\.json$/, '') + '-curves.png';
await writeFile(
  picture,
  await learningCurvesPng(curves.trainHead, {
    title: 'trainHead against plain model.fit, same initial weights',
    label: 'trainHead',
    compare: { label: 'model.fit', epochs: curves.modelFit },
  }),
);
console.log(`\nwrote ${flags.out} and ${picture}`);
