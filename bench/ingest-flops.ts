import { loadLayersModelFrom } from '../src/ml/model-files.js';

/**
 * FLOPs of one image up to `avg_pool`, counted from the model: 2 per
 * multiply-add of every convolution (all of them come before `avg_pool`;
 * BatchNormalization, ReLU, Add and pooling add under 0.1%). Keras' ResNet50
 * strides its blocks' first 1x1 convolutions, so this is below the 4.1 GMACs
 * often quoted for ResNet50.
 */
export async function resnet50Flops(modelUrl: string): Promise<number> {
  const model = await loadLayersModelFrom(modelUrl);
  try {
    let macs = 0;
    for (const layer of model.layers.filter((l) => l.getClassName() === 'Conv2D')) {
      const [, height, width, filters] = layer.outputShape as number[];
      const [kh, kw, inChannels] = layer.weights[0]!.shape as number[];
      macs += height! * width! * filters! * kh! * kw! * inChannels!;
    }
    return 2 * macs;
  } finally {
    model.dispose();
  }
}
