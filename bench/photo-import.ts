// A store's import as the service sees it: addProducts in a loop, real photos
// analysed by ResNet50 and the head in the service, until told to stop. The
// photos repeat every 32, so a service it feeds runs without the image cache
// (`IMAGE_CACHE_BYTES: '0'`): a store's import would not repeat them.
import { graphql } from '../harness/graphql-client.js';
import { photoCatalog } from '../harness/photo-catalog.js';

const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }`;

/** `batch` photos a call, skus `<prefix><n>`, until `stopped()`; the ids added and the seconds it ran. */
export async function importUntil(url: string, stopped: () => boolean, batch: number, seed: number, prefix = 'import-'): Promise<{ ids: string[]; seconds: number }> {
  const photos = (await photoCatalog(32, seed)).map((photo) => ({
    name: photo.name,
    category: photo.category,
    image: `data:image/png;base64,${(photo.image as Buffer).toString('base64')}`,
  }));
  const started = performance.now();
  const ids: string[] = [];
  while (!stopped()) {
    const inputs = Array.from({ length: batch }, (_, i) => ({ sku: `${prefix}${ids.length + i}`, ...photos[(ids.length + i) % photos.length]! }));
    const { data, errors } = await graphql(url, ADD_MANY, { inputs });
    if (errors) throw new Error(`import failed: ${JSON.stringify(errors)}`);
    ids.push(...data.addProducts.products.map((p: { id: string }) => p.id));
  }
  return { ids, seconds: (performance.now() - started) / 1000 };
}
