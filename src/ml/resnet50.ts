import * as tf from '@tensorflow/tfjs';
import { INPUT_CHANNELS, INPUT_LENGTH, INPUT_SIZE } from './image.js';
import { loadLayersModelFrom } from './model-files.js';

export const FEATURE_LAYER = 'avg_pool';
export const FEATURE_LENGTH = 2048;

/** ImageNet channel means in BGR order, as Keras' "caffe" preprocess_input subtracts them. */
export const CAFFE_MEANS_BGR = [103.939, 116.779, 123.68] as const;

/**
 * Keras "caffe" preprocessing, which the ImageNet weights were trained with:
 * RGB to BGR, then subtract the per-channel means; no scaling.
 */
export function caffePreprocess(rgb: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.reverse(rgb, -1), tf.tensor1d([...CAFFE_MEANS_BGR])));
}

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
    return this.run(this.full, images, 1000);
  }

  dispose(): void {
    // The feature model shares the full model's layers and weights.
    this.full.dispose();
  }

  private async run(model: tf.LayersModel, images: readonly Uint8Array[], width: number): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const output = tf.tidy(() => model.predict(caffePreprocess(toBatch(images))) as tf.Tensor2D);
    try {
      const values = await output.data<'float32'>();
      return images.map((_, i) => values.slice(i * width, (i + 1) * width));
    } finally {
      output.dispose();
    }
  }
}

function toBatch(images: readonly Uint8Array[]): tf.Tensor4D {
  const batch = new Float32Array(images.length * INPUT_LENGTH);
  images.forEach((pixels, i) => {
    if (pixels.length !== INPUT_LENGTH) {
      throw new Error(`image ${i} has ${pixels.length} values, expected ${INPUT_LENGTH} (224x224 RGB)`);
    }
    batch.set(pixels, i * INPUT_LENGTH);
  });
  return tf.tensor4d(batch, [images.length, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS]);
}
