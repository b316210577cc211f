/** ResNet50's input side; the model takes square 224x224 RGB images. */
export const INPUT_SIZE = 224;
export const THUMBNAIL_SIZE = 256;
/** Formats whose decoder scales down while it reads, so a small output never holds the full image. */
export const SHRINK_ON_LOAD = new Set(['jpeg', 'webp']);
/**
 * Formats whose decoder hands over the whole image at once: libheif decodes
 * the AV1 or HEVC frame in full before libvips sees a line, so neither
 * shrink-on-load nor streaming bounds what it holds. They get a pixel limit
 * of their own (MAX_FULL_DECODE_PIXELS).
 */
export const FULL_DECODE_ONLY = new Set(['heif']);
/**
 * Above this many pixels an image of the other formats is streamed down to at
 * most INTERMEDIATE_SIDE a side instead of being decoded in full: an
 * 8192x8192 RGBA image would otherwise be a 256 MB buffer. Below it (every
 * ordinary product photo) the full decode is at most 16 MB.
 */
export const FULL_DECODE_MAX_PIXELS = 2048 * 2048;
/** Four times the thumbnail's side: both outputs are still Lanczos-reduced from well above their size. */
export const INTERMEDIATE_SIDE = 4 * THUMBNAIL_SIZE;

/**
 * Bytes a HEIF decode holds per sample, whatever its bit depth. Measured on
 * flat 3-channel AVIFs made by sharp (libvips 8.18, libheif 1.23): the AV1
 * frame, libheif's planes and libvips' copy took 18 bytes a pixel at 8 bits
 * (4032x3024: 220 MB) and 24 at 12 bits (4000x4000: 392 MB, 7071x7071:
 * 1.18 GB), i.e. up to 8 bytes a sample.
 */
const HEIF_BYTES_PER_SAMPLE = 8;
/**
 * While libvips streams a large PNG, GIF or TIFF into the intermediate it
 * keeps about a quarter of the source's rows in its caches: measured 114 MB
 * for a 7071x7071 16-bit RGBA PNG (400 MB decoded) and 47 MB at 3000x3000.
 */
const STREAMED_SHARE = 1 / 4;
/** The JPEG decoder shrinks on load by 2, 4 or 8 at most. */
const MAX_LOAD_SHRINK = 8;

/** What the header says about the decode it asks for. */
export interface DecodeShape {
  format: string;
  width: number;
  height: number;
  channels: number;
  /** 1 for 8-bit samples, 2 for 9 to 16 bits (libvips' `ushort`), 4 for 32-bit. */
  bytesPerSample: number;
}

/**
 * Bytes of memory decoding this image holds at its peak, from its header,
 * for the queue to admit decodes by: a JPEG or WebP decodes its two outputs
 * each at a reduced scale; a PNG, GIF or TIFF is decoded in full when small
 * and streamed into the intermediate when large; a HEIF is decoded in full.
 * Only the first frame or page is ever decoded.
 */
export function decodeCost({ format, width, height, channels, bytesPerSample }: DecodeShape): number {
  const pixels = width * height;
  if (FULL_DECODE_ONLY.has(format)) return pixels * channels * HEIF_BYTES_PER_SAMPLE;
  if (SHRINK_ON_LOAD.has(format)) {
    // Counted as if the decoder kept a margin of 2 above the model input's size, for both outputs at once.
    const shrink = Math.min(MAX_LOAD_SHRINK, largestPowerOfTwoAtMost(Math.min(width, height) / (2 * INPUT_SIZE)));
    return 2 * Math.ceil(width / shrink) * Math.ceil(height / shrink) * channels * bytesPerSample;
  }
  if (pixels <= FULL_DECODE_MAX_PIXELS) return pixels * channels * bytesPerSample;
  const intermediate = Math.min(width, INTERMEDIATE_SIDE) * Math.min(height, INTERMEDIATE_SIDE) * channels;
  return Math.ceil(pixels * channels * bytesPerSample * STREAMED_SHARE) + intermediate;
}

/** Bytes a sample takes in libvips' band format, as sharp's metadata names it. */
export function bytesPerSample(depth: string | undefined): number {
  switch (depth) {
    case 'ushort':
    case 'short':
      return 2;
    case 'uint':
    case 'int':
    case 'float':
      return 4;
    case 'double':
    case 'complex':
      return 8;
    case 'dpcomplex':
      return 16;
    default:
      return 1;
  }
}

function largestPowerOfTwoAtMost(value: number): number {
  return value < 2 ? 1 : 2 ** Math.floor(Math.log2(value));
}
