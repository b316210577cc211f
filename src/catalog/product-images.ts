import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FeatureExtractor } from '../ml/feature-extractor.js';
import { requestAborted } from '../errors.js';
import { decodeImage, readImageHeader, type PreparedImage } from '../ml/image.js';
import { ImageQueue, type ImageQueueStats } from '../ml/image-queue.js';
import { FetchBudget, type FetchLease } from './fetch-budget.js';
import { fetchImage, type Resolve } from './image-fetch.js';
import { decodeImageInput } from './image-input.js';

/** An image as a client gives it: base64 or a base64 data URL, the file's bytes, or a link to fetch. */
export type ImageSource = string | Uint8Array | { url: string };

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
  /** Memory for recent files' analyses, keyed by their SHA-256; 0 keeps none. */
  cacheBytes: number;
  /** How images given by link are fetched (image-fetch.ts); each is held to maxImageBytes too. */
  fetch: {
    timeoutMs: number;
    /** Fetches in flight, all requests together; one request holds at most a quarter. */
    concurrency: number;
    allowedHosts: readonly string[];
    resolve?: Resolve;
  };
}

/** All a product keeps of an image file's analysis: the 224x224 pixels are not kept. */
export type AnalysedImage = Omit<PreparedImage, 'pixels'> & {
  /** Shared by every image of the same file: read, never written. */
  features: Float32Array;
};

/** A client's image decoded, with its ResNet50 features and what it was stored from. */
export interface ProductImage extends AnalysedImage {
  /** Hex SHA-256 of the file analysed. */
  sha256: string;
  /** The link it was fetched from; null when its file was given. */
  url: string | null;
}

/**
 * Compressed bytes the waiting images may hold together: 512 ordinary photos
 * of half a megabyte, or 25 of the largest images allowed.
 */
const MAX_QUEUED_BYTES = 256 * 1024 * 1024;

/**
 * Fetched images are held from their first byte until their request's images
 * are released, the same bound as the queue's files: a request's share (a
 * quarter) always holds at least one of the largest images allowed.
 */
const fetchedBytes = (maxImageBytes: number) => Math.max(MAX_QUEUED_BYTES, FetchBudget.SHARES * maxImageBytes);

/** Turns the images of a request into checked, decoded images and their ResNet50 features. */
export class ProductImages {
  private readonly queue: ImageQueue;
  private readonly fetches: FetchBudget;
  private readonly analysed: LRUCache<string, AnalysedImage> | undefined;

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
    this.fetches = new FetchBudget({ concurrency: options.fetch.concurrency, maxBytes: fetchedBytes(options.maxImageBytes) });
    this.analysed =
      options.cacheBytes > 0
        ? new LRUCache({ maxSize: options.cacheBytes, sizeCalculation: (image, sha256) => sha256.length + image.thumbnail.byteLength + image.features.byteLength })
        : undefined;
  }

  /** How many images wait, decode and hold decode memory now. */
  stats(): ImageQueueStats {
    return this.queue.stats();
  }

  /**
   * Base64, data URLs, the bytes or links, to decoded images with their
   * features. Links are fetched first, all at once within the request's share
   * of the fetch budget (TOO_BUSY past it); the first that fails stops the
   * others, IMAGE_URL_FORBIDDEN or IMAGE_FETCH_FAILED. Every header is read and checked first; then the request's images enter
   * the queue all together or none do (TOO_BUSY), each to decode when its
   * cost fits. An image that fails throws INVALID_IMAGE, IMAGE_TOO_LARGE or
   * IMAGE_DECODE_TIMEOUT, passed through `label` with its index, and the
   * images not yet decoded are left. Once `signal` fires (the client is
   * gone) no further decode starts and ResNet50 is not run: REQUEST_ABORTED.
   * A file is analysed once: repeated in the request, or found in the cache
   * of recent files, it takes no place in the queue.
   */
  async prepare(inputs: readonly ImageSource[], options: PrepareOptions = {}): Promise<ProductImage[]> {
    const { label = (error: unknown) => error, signal } = options;
    const sources = inputs.map((input, index) => {
      try {
        return typeof input === 'string' ? decodeImageInput(input, this.options.maxImageBytes) : input;
      } catch (error) {
        throw label(error, index);
      }
    });
    // Without a signal (the command line) each call is a request of its own.
    const lease = this.fetches.lease(signal ?? {});
    try {
      const files = await this.fetched(sources, lease, label, signal);
      const sha256s = files.map((file) => createHash('sha256').update(file).digest('hex'));
      const images = await this.analysedOnce(files, sha256s, label, signal);
      return images.map((image, i) => ({
        ...image,
        sha256: sha256s[i]!,
        url: typeof inputs[i] === 'object' && 'url' in inputs[i] ? inputs[i].url : null,
      }));
    } finally {
      lease.release();
    }
  }

  private async fetched(sources: readonly (Uint8Array | { url: string })[], lease: FetchLease, label: Label, signal: AbortSignal | undefined): Promise<Uint8Array[]> {
    const stop = new AbortController();
    const call = { signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal, count: lease.count };
    const fetchOptions = { ...this.options.fetch, maxBytes: this.options.maxImageBytes };
    return Promise.all(
      sources.map((source, index) =>
        source instanceof Uint8Array
          ? source
          : lease.run(() => fetchImage(source.url, fetchOptions, call)).catch((error: unknown) => {
              stop.abort();
              throw signal?.aborted ? error : label(error, index);
            }),
      ),
    );
  }

  /** The cache's analyses, and the others made from each distinct file's first occurrence, which labels its errors. */
  private async analysedOnce(files: readonly Uint8Array[], sha256s: readonly string[], label: Label, signal: AbortSignal | undefined): Promise<AnalysedImage[]> {
    const known = new Map<string, AnalysedImage>();
    const firstOf = new Map<string, number>();
    sha256s.forEach((sha256, index) => {
      const cached = this.analysed?.get(sha256);
      if (cached) known.set(sha256, cached);
      else if (!firstOf.has(sha256)) firstOf.set(sha256, index);
    });
    const missing = [...firstOf.values()];
    if (missing.length > 0) {
      const fresh = await this.analyse(
        missing.map((index) => files[index]!),
        (error, n) => label(error, missing[n]!),
        signal,
      );
      missing.forEach((index, n) => {
        known.set(sha256s[index]!, fresh[n]!);
        this.analysed?.set(sha256s[index]!, fresh[n]!);
      });
    }
    return sha256s.map((sha256) => known.get(sha256)!);
  }

  private async analyse(files: readonly Uint8Array[], label: Label, signal: AbortSignal | undefined): Promise<AnalysedImage[]> {
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
      return decoded.map(({ width, height, thumbnail }, i) => ({ width, height, thumbnail, features: features[i]! }));
    } finally {
      admission.release();
    }
  }
}

type Label = (error: unknown, index: number) => unknown;

export interface PrepareOptions {
  /** Turns an image's error into the request's, knowing its index. */
  label?: Label;
  /** Fires when the client has gone: the work left is dropped. */
  signal?: AbortSignal | undefined;
}
