import { readFile } from 'node:fs/promises';
import { prepareImage } from './src/ml/image.js';
import { createFeatureExtractor } from './src/ml/feature-extractor.js';
const workers = Number(process.argv[2] ?? 2);
let t = performance.now();
const fx = await createFeatureExtractor({ backend: 'wasm', workers, maxBatchSize: 8, batchWindowMs: 5, cacheDir: '/tmp/exp/cache', modelUrl: '/tmp/rn/package/ResNet50/model.json' });
console.log('start ms', performance.now() - t, fx.backend, fx.workers);
const imgs = await Promise.all(['chelsea','coffee'].map(async n => (await prepareImage(await readFile(`../shared/testdata/photos/${n}.png`), {maxBytes:1e7})).pixels));
await fx.extract([imgs[0]!]); // warm
for (const n of [1, 8, 16]) {
  t = performance.now();
  const r = await Promise.all(Array.from({length:n}, (_, i) => fx.extract([imgs[i%2]!])));
  console.log(n, 'concurrent singles', ((performance.now()-t)/n).toFixed(0), 'ms/img', fx.stats(), r[0]![0]!.length);
}
await fx.close();
console.log('closed');
