import sharp from 'sharp';

/** Pixels per SVG unit: 2 keeps text crisp on high-density screens and in documents. */
export const RASTER_SCALE = 2;

/** sharp rasterizes SVG at 72 dpi by default, one pixel per SVG unit. */
const DPI_PER_SCALE = 72;

export async function svgToPng(svg: string, scale = RASTER_SCALE): Promise<Uint8Array> {
  return sharp(Buffer.from(svg), { density: DPI_PER_SCALE * scale }).png().toBuffer();
}
