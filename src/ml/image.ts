import sharp, { type Metadata, type ResizeOptions, type Sharp } from 'sharp';
import { DomainError } from '../errors.js';
import {
  bytesPerSample,
  decodeCost,
  FULL_DECODE_MAX_PIXELS,
  FULL_DECODE_ONLY,
  INPUT_SIZE,
  INTERMEDIATE_SIDE,
  SHRINK_ON_LOAD,
  THUMBNAIL_SIZE,
} from './decode-cost.js';

export { INPUT_SIZE, THUMBNAIL_SIZE };
export const INPUT_CHANNELS = 3;
export const INPUT_LENGTH = INPUT_SIZE * INPUT_SIZE * INPUT_CHANNELS;
/** Raster formats only: SVG and PDF would hand untrusted documents to a renderer. */
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);
/** Decoded size above which an image is refused, whatever its file size (decompression bombs). */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;
/** Pixels a HEIF/AVIF may have when no limit is given (the service's MAX_FULL_DECODE_PIXELS default). */
export const DEFAULT_MAX_FULL_DECODE_PIXELS = 4096 * 4096;

// Each upload is decoded once; libvips' operation cache would only keep
// decoded pixels alive after the request is gone.
sharp.cache(false);

export interface PreparedImage {
  /** 224x224 RGB, row-major, channels last (HWC), one byte per channel. */
  pixels: Uint8Array;
  /** Size of the original image as displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  /** WebP, longest side at most 256 pixels (smaller originals are not enlarged). */
  thumbnail: Uint8Array;
}

export interface PrepareImageOptions {
  maxBytes: number;
  /** Decoded pixels the image may have, every frame or page counted (only the first is decoded). */
  maxPixels?: number;
  /** Pixels of an image in a format that is always decoded in full (HEIF/AVIF). */
  maxFullDecodePixels?: number;
  /** Whole seconds after which libvips stops each of the decode's pipelines; none when absent. */
  timeoutSeconds?: number;
}

/** What the header says, checked against the limits, with what decoding it will cost. */
export interface ImageHeader {
  format: string;
  /** Size as displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  maxPixels: number;
  /** Bytes decoding holds at its peak (decode-cost.ts). */
  decodeBytes: number;
}

export async function prepareImage(bytes: Uint8Array, options: PrepareImageOptions): Promise<PreparedImage> {
  return decodeImage(bytes, await readImageHeader(bytes, options), options);
}

/**
 * Reads the header alone (half a millisecond for a 50-megapixel AVIF), so
 * that "not an image" and "too many pixels" are domain errors before
 * anything is decoded, and the decode's cost is known before it is queued.
 */
export async function readImageHeader(bytes: Uint8Array, options: PrepareImageOptions): Promise<ImageHeader> {
  const { maxBytes, maxPixels = DEFAULT_MAX_PIXELS, maxFullDecodePixels = DEFAULT_MAX_FULL_DECODE_PIXELS } = options;
  if (bytes.byteLength > maxBytes) {
    throw new DomainError('IMAGE_TOO_LARGE', `image is ${bytes.byteLength} bytes, the limit is ${maxBytes}`, {
      bytes: bytes.byteLength,
      maxBytes,
    });
  }
  const metadata = await readMetadata(bytes);
  const { width, height } = metadata.autoOrient;
  if (!FORMATS.has(metadata.format) || !width || !height) throw invalidImage();
  const pages = metadata.pages ?? 1;
  if (width * height * pages > maxPixels) {
    const frames = pages > 1 ? ` in ${pages} frames` : '';
    throw new DomainError('IMAGE_TOO_LARGE', `image is ${width}x${height} pixels${frames}, the limit is ${maxPixels} pixels`, {
      width,
      height,
      pages,
      maxPixels,
    });
  }
  if (FULL_DECODE_ONLY.has(metadata.format) && width * height > maxFullDecodePixels) {
    throw new DomainError(
      'IMAGE_TOO_LARGE',
      `a HEIF/AVIF image is decoded in full: ${width}x${height} pixels is over its limit of ${maxFullDecodePixels} pixels`,
      { width, height, format: metadata.format, maxPixels: maxFullDecodePixels },
    );
  }
  const shape = { format: metadata.format, width, height, channels: metadata.channels, bytesPerSample: bytesPerSample(metadata.depth) };
  return { format: metadata.format, width, height, maxPixels, decodeBytes: decodeCost(shape) };
}

/** Decodes an image whose header was read and checked; a pipeline stopped at `timeoutSeconds` is IMAGE_DECODE_TIMEOUT. */
export async function decodeImage(bytes: Uint8Array, header: ImageHeader, options: Pick<PrepareImageOptions, 'timeoutSeconds'> = {}): Promise<PreparedImage> {
  const { timeoutSeconds } = options;
  const limit = (pipeline: Sharp) => (timeoutSeconds === undefined ? pipeline : pipeline.timeout({ seconds: timeoutSeconds }));
  try {
    const { source, thumbnailResize } = await decodedOnce(bytes, header, limit);
    const [pixels, thumbnail] = await Promise.all([
      limit(
        source()
          // White, not black, behind transparent product shots, as a catalog page shows them.
          .flatten({ background: '#ffffff' })
          // Stretch, not crop: the whole product stays in view, as Keras load_img(target_size)
          // does. Its default interpolation is nearest; Lanczos does not alias on large photos.
          .resize(INPUT_SIZE, INPUT_SIZE, { fit: 'fill' })
          // sRGB also widens grayscale to three equal channels.
          .toColourspace('srgb')
          .raw({ depth: 'uchar' }),
      ).toBuffer({ resolveWithObject: true }),
      limit(source().resize(thumbnailResize).webp()).toBuffer(),
    ]);
    if (pixels.info.channels !== INPUT_CHANNELS || pixels.data.byteLength !== INPUT_LENGTH) throw invalidImage();
    return { pixels: pixels.data, width: header.width, height: header.height, thumbnail };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (timeoutSeconds !== undefined && isTimeout(error)) throw decodeTimeout(timeoutSeconds * 1000);
    throw invalidImage();
  }
}

/** The refusal of a decode that ran past its time limit. */
export function decodeTimeout(timeoutMs: number): DomainError {
  return new DomainError('IMAGE_DECODE_TIMEOUT', `decoding the image took longer than ${timeoutMs} ms`, { timeoutMs });
}

/** sharp's words when libvips stops a pipeline at its timeout: "timeout: 4% complete". */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && /^timeout: \d+% complete/m.test(error.message);
}

/**
 * The two outputs each need the image decoded. JPEG and WebP decode at a
 * reduced scale when the output is small (shrink-on-load), so each output
 * decodes for itself; the other formats always decode in full, which is then
 * done once (a 600x400 PNG: 9 of its 26 ms), and both outputs start from the
 * pixels. Past FULL_DECODE_MAX_PIXELS those pixels are an intermediate of at
 * most INTERMEDIATE_SIDE a side, each side reduced on its own so that a
 * panorama keeps its rows for the stretched model input; libvips streams the
 * file into it a few lines at a time.
 */
async function decodedOnce(bytes: Uint8Array, header: ImageHeader, limit: (pipeline: Sharp) => Sharp): Promise<Decoded> {
  // limitInputPixels again: the decoder enforces it even if the header lied.
  // Only the first frame or page is decoded (sharp's default `pages: 1`).
  const options = { limitInputPixels: header.maxPixels, autoOrient: true };
  const size = { width: header.width, height: header.height };
  if (SHRINK_ON_LOAD.has(header.format)) {
    const image = sharp(bytes, options);
    return { source: () => image.clone(), thumbnailResize: THUMBNAIL_RESIZE };
  }
  const intermediate = size.width * size.height > FULL_DECODE_MAX_PIXELS;
  let decoder = sharp(bytes, options);
  if (intermediate) {
    decoder = decoder.resize(Math.min(size.width, INTERMEDIATE_SIDE), Math.min(size.height, INTERMEDIATE_SIDE), { fit: 'fill' });
  }
  const { data, info } = await limit(decoder.raw({ depth: 'uchar' })).toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return {
    source: () => sharp(data, { raw }),
    // The intermediate may be stretched, so the thumbnail's size comes from the displayed size.
    thumbnailResize: intermediate ? { ...thumbnailSize(size), fit: 'fill' } : THUMBNAIL_RESIZE,
  };
}

interface Size {
  width: number;
  height: number;
}

interface Decoded {
  /** A fresh pipeline over the decoded image, one per output. */
  source: () => Sharp;
  thumbnailResize: ResizeOptions;
}

const THUMBNAIL_RESIZE: ResizeOptions = { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true };

/** Longest side THUMBNAIL_SIZE with the aspect ratio kept; only for images larger than that. */
function thumbnailSize({ width, height }: Size): Size {
  const scale = THUMBNAIL_SIZE / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function readMetadata(bytes: Uint8Array): Promise<Metadata> {
  try {
    // Unlimited: the header alone is read, and the pixel limit is checked
    // after, so a huge image is IMAGE_TOO_LARGE rather than INVALID_IMAGE.
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw invalidImage();
  }
}

function invalidImage(): DomainError {
  return new DomainError('INVALID_IMAGE', 'the bytes are not a supported, undamaged image (JPEG, PNG, WebP, GIF, TIFF or AVIF)');
}
