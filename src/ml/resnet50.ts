import * as tf from '@tensorflow/tfjs';
import { INPUT_CHANNELS, INPUT_SIZE } from './image.js';
import { loadLayersModelFrom } from './model-files.js';
import { caffePreprocess, FEATURE_LAYER } from './preprocess.js';

export const FEATURE_LENGTH = 2048;
export const IMAGENET_CLASSES = 1000;

export class Resnet50 {
  private constructor(
    private readonly full: tf.LayersModel,
    private readonly featureModel: tf.LayersModel,
  ) {}

  /** Loads the layers model from a local model.json path or an http(s) URL. */
  static async load(modelUrl: string): Promise<Resnet50> {
    const full = await loadLayersModelFrom(modelUrl);
    const featureModel = tf.model({ inputs: full.inputs, outputs: full.getLayer(FEATURE_LAYER).output });
    return new Resnet50(full, featureModel);
  }

  /** 2048 floats per image (`avg_pool`), for 224x224x3 RGB pixels as prepareImage makes them. */
  features(images: readonly Uint8Array[]): Promise<Float32Array[]> {
    return this.run(this.featureModel, images, FEATURE_LENGTH);
  }

  /** The 1000 ImageNet class probabilities (`fc1000`) per image. */
  classify(images: readonly Uint8Array[]): Promise<Float32Array[]> {
    return this.run(this.full, images, IMAGENET_CLASSES);
  }

  dispose(): void {
    // The feature model shares the full model's layers and weights.
    this.full.dispose();
  }

  private async run(model: tf.LayersModel, images: readonly Uint8Array[], outputLength: number): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const batch = caffePreprocess(images);
    const output = tf.tidy(
      () => model.predict(tf.tensor4d(batch, [images.length, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS])) as tf.Tensor2D,
    );
    try {
      const values = await output.data<'float32'>();
      return images.map((_, i) => values.slice(i * outputLength, (i + 1) * outputLength));
    } finally {
      output.dispose();
    }
  }
}
