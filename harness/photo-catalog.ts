import sharp from 'sharp';
import type { ProductInput } from '../src/catalog/catalog.service.js';
import { readPhoto } from './photos.js';
import { seededRandom } from './vectors.js';

/**
 * A labelled catalog of real photographs: random crops, mirror images and
 * colour shifts of the cat and the coffee photos, `perCategory` of each.
 */
export async function photoCatalog(perCategory: number, seed = 1): Promise<ProductInput[]> {
  const random = seededRandom(seed);
  const products: ProductInput[] = [];
  for (const [category, file] of [['cats', 'chelsea.png'], ['drinks', 'coffee.png']] as const) {
    const photo = await readPhoto(file);
    const { width, height } = await sharp(photo).metadata();
    for (let i = 0; i < perCategory; i++) {
      const w = Math.round(width * (0.6 + 0.4 * random()));
      const h = Math.round(height * (0.6 + 0.4 * random()));
      let image = sharp(photo)
        .extract({ left: Math.floor(random() * (width - w)), top: Math.floor(random() * (height - h)), width: w, height: h })
        .modulate({ brightness: 0.8 + 0.4 * random(), saturation: 0.7 + 0.6 * random(), hue: Math.round(40 * random() - 20) });
      if (random() < 0.5) image = image.flop();
      products.push({ sku: `${category}-${i}`, name: `${category} ${i}`, category, image: await image.png().toBuffer() });
    }
  }
  return products;
}
