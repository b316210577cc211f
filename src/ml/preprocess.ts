import { INPUT_CHANNELS, INPUT_LENGTH } from './image.js';

/** The layer whose output is a product's features: 2048 floats after global average pooling. */
export const FEATURE_LAYER = 'avg_pool';

/** ImageNet channel means in BGR order, as Keras' "caffe" preprocess_input subtracts them. */
export const CAFFE_MEANS_BGR = [103.939, 116.779, 123.68] as const;

/**
 * Keras "caffe" preprocessing, which the ImageNet weights were trained with:
 * RGB to BGR, then subtract the per-channel means, no scaling. Packs the
 * images back to back (NHWC) into one buffer for a single batch tensor.
 */
export function caffePreprocess(images: readonly Uint8Array[]): Float32Array {
  const [meanB, meanG, meanR] = CAFFE_MEANS_BGR;
  const batch = new Float32Array(images.length * INPUT_LENGTH);
  images.forEach((rgb, i) => {
    if (rgb.length !== INPUT_LENGTH) {
      throw new Error(`image ${i} has ${rgb.length} values, expected ${INPUT_LENGTH} (224x224 RGB)`);
    }
    const offset = i * INPUT_LENGTH;
    for (let p = 0; p < INPUT_LENGTH; p += INPUT_CHANNELS) {
      batch[offset + p] = rgb[p + 2]! - meanB;
      batch[offset + p + 1] = rgb[p + 1]! - meanG;
      batch[offset + p + 2] = rgb[p]! - meanR;
    }
  });
  return batch;
}
