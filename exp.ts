import { readFile } from 'node:fs/promises';
import { prepareImage } from './src/ml/image.js';
import { createFeatureExtractor } from './src/ml/feature-extractor.js';
const workers = Number(process.argv[2] ?? 2);
let t = performance.now();
const fx = await createFeatureExtractor({ backend: 'wasm', workers, maxBatchSize: 8, batchWindowMs: 5, cacheDir: '/tmp/exp/cache', modelUrl: '/tmp/rn/package/ResNet50/model.json' });
console.log('start ms', performance.now() - t, fx.backend, fx.workers);
const img = (await prepareImage(await readFile(`../shared/testdata/photos/chelsea.png`), {maxBytes:1e7})).pixels;
await Promise.all([fx.extract([img]), fx.extract(Array(8).fill(img))]); // warm both
for (let r = 0; r < 2; r++) {
  t = performance.now();
  await Promise.all([fx.extract(Array(8).fill(img)).then(() => console.log('a done', performance.now() - t)), fx.extract(Array(8).fill(img)).then(() => console.log('b done', performance.now() - t))]);
  console.log('16 imgs', ((performance.now()-t)/16).toFixed(0), 'ms/img', fx.stats());
}
await fx.close();
