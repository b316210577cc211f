import { CatalogService } from '../src/catalog/catalog.service.js';
import { ProductImages } from '../src/catalog/product-images.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { Store } from '../src/db/store.js';
import type { FeatureExtractor } from '../src/ml/feature-extractor.js';
import { ActiveModel } from '../src/training/active-model.js';
import { createTensorflowHeadEngine } from '../src/training/tensorflow-head-engine.js';
import { productImagesOptions } from '../src/services.js';
import { TrainingService } from '../src/training/training.service.js';

export interface BenchCatalog {
  database: Database;
  catalog: CatalogService;
  training: TrainingService;
  close(): Promise<void>;
}

/**
 * The services of src/services.ts on an in-memory PGlite, around an extractor
 * the benchmark made: one started model pool serves both the extractor-only
 * and the addProducts figures of a configuration, and configurations the
 * service's settings do not name (one single-threaded ONNX session) can be
 * measured too. The caller closes the extractor.
 */
export async function openBenchCatalog(extractor: FeatureExtractor): Promise<BenchCatalog> {
  const database = await openDatabase({ pgliteDataDir: 'memory://' });
  await migrate(database.db);
  const store = new Store(database.db);
  const engine = createTensorflowHeadEngine(extractor.backend);
  const training = new TrainingService(store, engine);
  return {
    database,
    catalog: new CatalogService(store, new ProductImages(extractor, productImagesOptions(loadConfig({ IMAGE_CACHE_BYTES: '0' }))), new ActiveModel(engine)),
    training,
    async close() {
      await training.close();
      await database.close();
    },
  };
}
