import sharp from 'sharp';

/** Encodes raw 8-bit grayscale pixels (as IDX datasets hold them) as a PNG file. */
export async function grayscaleToPng(pixels: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
}
