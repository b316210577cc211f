import { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { ensureOnnxResnet50 } from '../../ml/onnx/onnx-model-cache.js';
import { isRemoteModelUrl, resolveResnet50Model } from '../../ml/resnet50-weights.js';

/**
 * Puts into MODEL_CACHE_DIR everything the service would otherwise fetch and
 * convert at its first start, so that an image built with it starts with no
 * network. Needs no database.
 */
export function fetchWeightsCommand(): Command {
  return new Command('fetch-weights')
    .description('fetch the ResNet50 weights into MODEL_CACHE_DIR and convert them to ONNX, as the first start would')
    .action(async () => {
      const config = loadConfig(process.env);
      const model = await resolveResnet50Model({ cacheDir: config.modelCacheDir, modelUrl: config.resnet50ModelUrl, log: console.log });
      console.log(`ResNet50 weights (${model.source}): ${model.modelUrl}`);
      // A model read over http(s) is fetched by each start; there is nothing on disk to convert.
      if (isRemoteModelUrl(model.modelUrl)) return;
      const onnx = await ensureOnnxResnet50({ cacheDir: config.modelCacheDir, modelUrl: model.modelUrl, log: console.log });
      console.log(`ResNet50 as ONNX (${onnx.source}): ${onnx.path}`);
    });
}
