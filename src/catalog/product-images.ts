import type { FeatureExtractor } from '../ml/feature-extractor.js';
import { requestAborted } from '../errors.js';
import { decodeImage, readImageHeader, type PreparedImage } from '../ml/image.js';
import { ImageQueue, type ImageQueueStats } from '../ml/image-queue.js';
import { decodeImageInput } from './image-input.js';

export interface ProductImagesOptions {
  maxImageBytes: number;
  /** Decoded pixels an image may have, every frame or page counted. */
  maxImagePixels: number;
  /** Pixels an image in a format that cannot shrink or stream on load (HEIF/AVIF) may have. */
  maxFullDecodePixels: number;
  decodeConcurrency: number;
  /** Decode cost (bytes) the running decodes may hold together. */
  maxDecodeBytes: number;
  decodeTimeoutMs: number;
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
      maxDecodeBytes: options.maxDecodeBytes,
      decodeTimeoutMs: options.decodeTimeoutMs,
      capacity: options.queueCapacity,
      maxBytes: MAX_QUEUED_BYTES,
    });
  }

  /** How many images wait, decode and hold decode memory now. */
  stats(): ImageQueueStats {
    return this.queue.stats();
  }

  /**
   * Base64, data URLs or the bytes, to decoded images with their features.
   * Every header is read and checked first; then the request's images enter
   * the queue all together or none do (TOO_BUSY), each to decode when its
   * cost fits. An image that fails throws INVALID_IMAGE, IMAGE_TOO_LARGE or
   * IMAGE_DECODE_TIMEOUT, passed through `label` with its index, and the
   * images not yet decoded are left. Once `signal` fires (the client is
   * gone) no further decode starts and ResNet50 is not run: REQUEST_ABORTED.
   */
  async prepare(inputs: readonly (string | Uint8Array)[], options: PrepareOptions = {}): Promise<ProductImage[]> {
    const { label = (error: unknown) => error, signal } = options;
    const files = inputs.map((input, index) => {
      try {
        return typeof input === 'string' ? decodeImageInput(input, this.options.maxImageBytes) : input;
      } catch (error) {
        throw label(error, index);
      }
    });
    const limits = {
      maxBytes: this.options.maxImageBytes,
      maxPixels: this.options.maxImagePixels,
      maxFullDecodePixels: this.options.maxFullDecodePixels,
      // libvips counts whole seconds; the queue answers at the millisecond.
      timeoutSeconds: Math.max(1, Math.ceil(this.options.decodeTimeoutMs / 1000)),
    };
    const headers = await Promise.all(files.map((file, index) => readImageHeader(file, limits).catch((error: unknown) => Promise.reject(label(error, index)))));
    if (signal?.aborted) throw requestAborted();
    const admission = this.queue.admit(files.map((file) => file.byteLength), signal);
    try {
      let failure: { error: unknown } | undefined;
      const images = await Promise.all(
        files.map((file, index) =>
          admission
            .decode(headers[index]!.decodeBytes, async () => (failure ? undefined : decodeImage(file, headers[index]!, limits)))
            // Once one image has failed the request has, and the rest need no decoder.
            .catch((error: unknown) => {
              failure ??= { error: signal?.aborted ? error : label(error, index) };
              return undefined;
            }),
        ),
      );
      if (failure) throw failure.error;
      if (signal?.aborted) throw requestAborted();
      const decoded = images as PreparedImage[];
      const features = await this.extractor.extract(decoded.map((image) => image.pixels));
      return decoded.map((image, i) => ({ ...image, features: features[i]! }));
    } finally {
      admission.release();
    }
  }
}

export interface PrepareOptions {
  /** Turns an image's error into the request's, knowing its index. */
  label?: (error: unknown, index: number) => unknown;
  /** Fires when the client has gone: the work left is dropped. */
  signal?: AbortSignal | undefined;
}
