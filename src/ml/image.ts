import sharp, { type Metadata, type Sharp } from 'sharp';
import { DomainError } from '../errors.js';

/** ResNet50's input side; the model takes square 224x224 RGB images. */
export const INPUT_SIZE = 224;
export const INPUT_CHANNELS = 3;
export const INPUT_LENGTH = INPUT_SIZE * INPUT_SIZE * INPUT_CHANNELS;
export const THUMBNAIL_SIZE = 256;
/** Raster formats only: SVG and PDF would hand untrusted documents to a renderer. */
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);
const SHRINK_ON_LOAD = new Set(['jpeg', 'webp', 'heif']);
/** Decoded size above which an image is refused, whatever its file size (decompression bombs). */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

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
  maxPixels?: number;
}

export async function prepareImage(bytes: Uint8Array, options: PrepareImageOptions): Promise<PreparedImage> {
  const { maxBytes, maxPixels = DEFAULT_MAX_PIXELS } = options;
  if (bytes.byteLength > maxBytes) {
    throw new DomainError('IMAGE_TOO_LARGE', `image is ${bytes.byteLength} bytes, the limit is ${maxBytes}`, {
      bytes: bytes.byteLength,
      maxBytes,
    });
  }

  // Reading the header first turns "not an image" and "too many pixels" into
  // domain errors before anything is decoded.
  const metadata = await readMetadata(bytes);
  const { width, height } = metadata.autoOrient;
  if (!FORMATS.has(metadata.format) || !width || !height) throw invalidImage();
  if (width * height > maxPixels) {
    throw new DomainError('IMAGE_TOO_LARGE', `image is ${width}x${height} pixels, the limit is ${maxPixels} pixels`, {
      width,
      height,
      maxPixels,
    });
  }

  try {
    // limitInputPixels again: the decoder enforces it even if the header lied.
    const source = await decodedOnce(bytes, metadata.format, maxPixels);
    const [pixels, thumbnail] = await Promise.all([
      source()
        // White, not black, behind transparent product shots, as a catalog page shows them.
        .flatten({ background: '#ffffff' })
        // Stretch, not crop: the whole product stays in view, as Keras load_img(target_size)
        // does. Its default interpolation is nearest; Lanczos does not alias on large photos.
        .resize(INPUT_SIZE, INPUT_SIZE, { fit: 'fill' })
        // sRGB also widens grayscale to three equal channels.
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true }),
      source().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).webp().toBuffer(),
    ]);
    if (pixels.info.channels !== INPUT_CHANNELS || pixels.data.byteLength !== INPUT_LENGTH) throw invalidImage();
    return { pixels: pixels.data, width, height, thumbnail };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw invalidImage();
  }
}

/**
 * The two outputs each need the image decoded. JPEG, WebP and HEIF decode at
 * a reduced scale when the output is small (shrink-on-load), so each output
 * decodes for itself; the other formats always decode in full, which is then
 * done once (a 600x400 PNG: 9 of its 26 ms), and both outputs start from the
 * pixels.
 */
async function decodedOnce(bytes: Uint8Array, format: string, maxPixels: number): Promise<() => Sharp> {
  const options = { limitInputPixels: maxPixels, autoOrient: true };
  if (SHRINK_ON_LOAD.has(format)) {
    const image = sharp(bytes, options);
    return () => image.clone();
  }
  const { data, info } = await sharp(bytes, options).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return () => sharp(data, { raw });
}

async function readMetadata(bytes: Uint8Array): Promise<Metadata> {
  try {
    return await sharp(bytes).metadata();
  } catch {
    throw invalidImage();
  }
}

function invalidImage(): DomainError {
  return new DomainError('INVALID_IMAGE', 'the bytes are not a supported, undamaged image (JPEG, PNG, WebP, GIF, TIFF or AVIF)');
}
