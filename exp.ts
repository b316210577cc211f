import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { prepareImage } from './src/ml/image.js';
import { selectBackend } from './src/ml/backend.js';
import { Resnet50 } from './src/ml/resnet50.js';
console.log(await selectBackend(process.argv[2] as any ?? 'auto'));
const labels = JSON.parse(await readFile('/tmp/rn/package/assets/labels.json','utf8'));
let t = performance.now();
const m = await Resnet50.load('/tmp/rn/package/ResNet50/model.json');
console.log('load ms', performance.now() - t, tf.memory().numTensors);
const imgs = await Promise.all(['chelsea','coffee'].map(async n => (await prepareImage(await readFile(`../shared/testdata/photos/${n}.png`), {maxBytes:1e7})).pixels));
t = performance.now();
const probs = await m.classify(imgs);
console.log('classify 2 ms', performance.now() - t);
for (const p of probs) { const idx = [...p.keys()].sort((a,b)=>p[b]!-p[a]!).slice(0,3); console.log(idx.map(i=>[labels[i], p[i]!.toFixed(3)])); }
for (const n of [1, 1, 8]) { const b = Array.from({length:n}, (_, i)=>imgs[i%2]!); t = performance.now(); const f = await m.features(b); console.log('features', n, (performance.now()-t)/n, 'ms/img', f[0]!.length, Math.min(...f[0]!)); }
console.log(tf.memory().numTensors); m.dispose(); console.log('after dispose', tf.memory().numTensors);
