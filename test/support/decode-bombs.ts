/**
 * Child process for the memory test: sends N copies of an image file through
 * ProductImages at once, each as its own request (as N aliases of
 * similarToImage would), with the service's default settings and the real
 * ResNet50, and prints one JSON line: RSS before and at its peak (sampled
 * every 50 ms), and how each request ended.
 */
import { readFile } from 'node:fs/promises';
import { ProductImages } from '../../src/catalog/product-images.js';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/errors.js';
import { createFeatureExtractor } from '../../src/ml/feature-extractor.js';
import { featureExtractorOptions, productImagesOptions } from '../../src/services.js';

const [file, count] = process.argv.slice(2);
const config = loadConfig({});
const extractor = await createFeatureExtractor(featureExtractorOptions(config, () => {}));
const images = new ProductImages(extractor, productImagesOptions(config));
const bytes = new Uint8Array(await readFile(file!));

const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const outcomes = await Promise.allSettled(Array.from({ length: Number(count) }, () => images.prepare([bytes])));
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await extractor.close();

const ended = outcomes.map((outcome) => {
  if (outcome.status === 'fulfilled') return 'prepared';
  return outcome.reason instanceof DomainError ? outcome.reason.code : String(outcome.reason);
});
console.log(JSON.stringify({ before, peak, ended }));
