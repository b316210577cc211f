import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FEATURE_LAYER } from '../preprocess.js';
import { exists, isRemoteModelUrl } from '../resnet50-weights.js';
import { kerasToOnnx } from './keras-to-onnx.js';
import { hashLayersModelFiles, readLayersModelFiles } from './layers-model-files.js';
import { writeWholeFile } from '../../util/whole-file.js';

/**
 * Part of the cache key: bump it whenever kerasToOnnx writes a different
 * graph for the same weights, so that copies made by an older converter are
 * rebuilt instead of used.
 */
const CONVERSION_VERSION = 1;
const PREFIX = `resnet50-${FEATURE_LAYER}-`;

export interface OnnxModelLocation {
  path: string;
  /** 'converted' when this call wrote the file. */
  source: 'cache' | 'converted';
}

/**
 * The ResNet50 layers model converted to ONNX up to `avg_pool`, in
 * `cacheDir`. The file name carries a hash of the converter version and of
 * model.json and every weight shard, so an edited or replaced model, or a
 * newer converter, gets a fresh conversion; older conversions are removed.
 * Hashing reads the ~100 MB of weights, about half a second; the weights are
 * only loaded for a conversion.
 */
export async function ensureOnnxResnet50(options: { cacheDir: string; modelUrl: string; log?: ((line: string) => void) | undefined }): Promise<OnnxModelLocation> {
  if (isRemoteModelUrl(options.modelUrl)) {
    throw new Error('the ONNX engine converts a model.json on disk, and the ResNet50 model is a URL');
  }
  const sha256 = await hashLayersModelFiles(options.modelUrl);
  const key = createHash('sha256').update(`${CONVERSION_VERSION}/${FEATURE_LAYER}/${sha256}`).digest('hex').slice(0, 16);
  const cacheDir = resolve(options.cacheDir);
  const name = `${PREFIX}${key}.onnx`;
  const path = join(cacheDir, name);
  if (await exists(path)) return { path, source: 'cache' };

  const started = performance.now();
  options.log?.(`ResNet50: converting the weights to ONNX into ${cacheDir}, once`);
  const model = kerasToOnnx(await readLayersModelFiles(options.modelUrl), {
    outputLayer: FEATURE_LAYER,
    metadata: { 'lookalike.source_sha256': sha256, 'lookalike.conversion_version': String(CONVERSION_VERSION) },
  });
  // Two processes converting at once write the same bytes.
  await writeWholeFile(path, model);
  const stale = (await readdir(cacheDir)).filter((entry) => entry.startsWith(PREFIX) && entry.endsWith('.onnx') && entry !== name);
  await Promise.all(stale.map((entry) => rm(join(cacheDir, entry), { force: true })));
  options.log?.(`ResNet50: converted to ONNX in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { path, source: 'converted' };
}
