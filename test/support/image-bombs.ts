import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** The colour of `sixteenBitBomb`, half transparent. */
export const BOMB_COLOUR = { r: 200, g: 100, b: 50, alpha: 0.5 };

/**
 * A side x side RGBA PNG at 16 bits a channel: at 8192 a side, 512 MB of
 * pixels in a file of under a megabyte, because one flat colour compresses to
 * almost nothing.
 */
export async function sixteenBitBomb(side = 8192): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 4, background: BOMB_COLOUR } })
    .toColourspace('rgb16')
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** A small PNG whose header claims another size: a decoder that trusts it would allocate for that size. */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
  // The IHDR chunk follows the 8-byte signature: length (4), type (4), width (4), height (4), ...
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** An animated image of `frames` frames of width x height, each a different colour. */
export async function animation(format: 'gif' | 'webp', frames: number, width: number, height: number): Promise<Buffer> {
  const pages = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width, height, channels: 3, background: { r: (i * 97) % 256, g: (i * 41) % 256, b: 255 - i } } })
        .png()
        .toBuffer(),
    ),
  );
  const joined = sharp(pages, { join: { animated: true } });
  return format === 'gif' ? joined.gif().toBuffer() : joined.webp({ effort: 0 }).toBuffer();
}

/**
 * A flat width x height AVIF at 12 bits a sample: under a kilobyte, and
 * libheif decodes it in full (4000x4000: about a second and 400 MB).
 */
export async function twelveBitAvif(width: number, height = width): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 100, b: 50 } } })
    .avif({ bitdepth: 12, effort: 0 })
    .toBuffer();
}
