import type { FeatureExtractor } from '../ml/feature-extractor.js';
import { prepareImage, type PreparedImage } from '../ml/image.js';
import { ImageQueue } from '../ml/image-queue.js';
import { decodeImageInput } from './image-input.js';

export interface ProductImagesOptions {
  maxImageBytes: number;
  /** Decoded pixels an image may have, every frame or page counted. */
  maxImagePixels: number;
  decodeConcurrency: number;
  /** Images waiting for decoding or ResNet50 before a request answers TOO_BUSY. */
  queueCapacity: number;
}

/** A client's image decoded, with its ResNet50 features. */
export interface ProductImage extends PreparedImage {
  features: Float32Array;
}

/**
 * Compressed bytes the waiting images may hold together: 512 ordinary photos
 * of half a megabyte, or 25 of the largest images allowed.
 */
const MAX_QUEUED_BYTES = 256 * 1024 * 1024;

/** Turns the images of a request into checked, decoded images and their ResNet50 features. */
export class ProductImages {
  private readonly queue: ImageQueue;

  constructor(
    private readonly extractor: FeatureExtractor,
    private readonly options: ProductImagesOptions,
  ) {
    this.queue = new ImageQueue({
      decodeConcurrency: options.decodeConcurrency,
      capacity: options.queueCapacity,
      maxBytes: MAX_QUEUED_BYTES,
    });
  }

  /**
   * Base64, data URLs or the bytes, to decoded images with their features.
   * The request's images enter the queue all together or none do (TOO_BUSY);
   * an image that fails throws INVALID_IMAGE or IMAGE_TOO_LARGE, passed
   * through `label` with its index, and the images not yet decoded are left.
   */
  async prepare(
    inputs: readonly (string | Uint8Array)[],
    label: (error: unknown, index: number) => unknown = (error) => error,
  ): Promise<ProductImage[]> {
    const files = inputs.map((input, index) => {
      try {
        return typeof input === 'string' ? decodeImageInput(input, this.options.maxImageBytes) : input;
      } catch (error) {
        throw label(error, index);
      }
    });
    const admission = this.queue.admit(files.map((file) => file.byteLength));
    try {
      let failure: { error: unknown } | undefined;
      const limits = { maxBytes: this.options.maxImageBytes, maxPixels: this.options.maxImagePixels };
      const images = await Promise.all(
        files.map((file, index) =>
          admission.decode(async () => {
            // Once one image has failed the request has, and the rest need no decoder.
            if (failure) return undefined;
            try {
              return await prepareImage(file, limits);
            } catch (error) {
              failure ??= { error: label(error, index) };
              return undefined;
            }
          }),
        ),
      );
      if (failure) throw failure.error;
      const decoded = images as PreparedImage[];
      const features = await this.extractor.extract(decoded.map((image) => image.pixels));
      return decoded.map((image, i) => ({ ...image, features: features[i]! }));
    } finally {
      admission.release();
    }
  }
}
