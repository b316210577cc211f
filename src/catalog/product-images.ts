import type { FeatureExtractor } from '../ml/feature-extractor.js';
import { prepareImage, type PreparedImage } from '../ml/image.js';
import { decodeImageInput } from './image-input.js';

/** Turns an image given by a client into a checked, decoded image and its ResNet50 features. */
export class ProductImages {
  constructor(
    private readonly extractor: FeatureExtractor,
    private readonly maxImageBytes: number,
  ) {}

  /** Base64, a data URL or the bytes, to a decoded image; throws INVALID_IMAGE or IMAGE_TOO_LARGE. */
  async prepare(input: string | Uint8Array): Promise<PreparedImage> {
    const bytes = typeof input === 'string' ? decodeImageInput(input, this.maxImageBytes) : input;
    return prepareImage(bytes, { maxBytes: this.maxImageBytes });
  }

  async features(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    return this.extractor.extract(images.map((image) => image.pixels));
  }
}
