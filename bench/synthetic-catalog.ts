// A catalog of synthetic products in ten categories, and a head trained on
// them for one epoch: the service's real path to a model version (the space
// is what a serving benchmark needs, not the head's accuracy).
import { loadConfig } from '../src/config.js';
import { Store } from '../src/db/store.js';
import { createServices } from '../src/services.js';
import { newProduct } from '../harness/catalog-fixtures.js';

const CATEGORIES = 10;
const INSERT_CHUNK = 1000;

/**
 * Builds it in the database the settings name (DATA_DIR or DATABASE_URL) and
 * returns the products' ids, in insertion order. Each product's features lean
 * towards its category's dimensions, so neighbours cluster as real ones do.
 */
export async function buildSyntheticCatalog(env: Record<string, string>, products: number, random: () => number, log: (line: string) => void): Promise<number[]> {
  const started = performance.now();
  const services = await createServices(loadConfig({ FEATURE_WORKERS: '1', ...env }), () => {});
  try {
    const store = new Store(services.database.db);
    const ids: number[] = [];
    for (let first = 0; first < products; first += INSERT_CHUNK) {
      const inserted = await store.products.insertMany(
        Array.from({ length: Math.min(INSERT_CHUNK, products - first) }, (_, i) => {
          const category = (first + i) % CATEGORIES;
          const features = Float32Array.from({ length: 2048 }, (_, j) => Math.max(0, Math.round((random() + (j % CATEGORIES === category ? 0.5 : 0)) * 64) / 64));
          return { ...newProduct(`synthetic-${first + i}`, features), category: `category-${category}` };
        }),
      );
      ids.push(...inserted.map((p) => p.id));
    }
    log(`${products} products stored in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await services.training.startTraining({ epochs: 1 });
    await services.training.idle();
    const modelVersionId = await services.similarity.activeSpace();
    if (modelVersionId === null) throw new Error('training did not activate a model version');
    log(`catalog of ${products} products and model version ${modelVersionId} built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return ids;
  } finally {
    await services.close();
  }
}
