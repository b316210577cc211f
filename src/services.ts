import { CatalogService } from './catalog/catalog.service.js';
import { ProductImages, type ProductImagesOptions } from './catalog/product-images.js';
import { SimilarityService } from './catalog/similarity.service.js';
import { MAX_SCANNED_PRODUCTS } from './catalog/near-duplicates.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { openMigratedDatabase, whileDatabaseAway } from './db/database-startup.js';
import { EvaluationService } from './evaluation/evaluation.service.js';
import { Store } from './db/store.js';
import { ExactSearch } from './search/exact-search.js';
import { IndexSnapshots } from './search/index-snapshot.js';
import { selectBackend } from './ml/backend.js';
import { createFeatureExtractor, type FeatureExtractor, type FeatureExtractorOptions } from './ml/feature-extractor.js';
import { ActiveModel } from './training/active-model.js';
import { createTensorflowHeadEngine } from './training/tensorflow-head-engine.js';
import type { HeadEngine } from './training/head-engine.js';
import { TrainingService } from './training/training.service.js';

/** Everything the API and the command line share: one database, one model pool, the services over them. */
export interface Services {
  readonly database: Database;
  readonly extractor: FeatureExtractor;
  /** The image queue that catalog and similarity share. */
  readonly images: ProductImages;
  readonly catalog: CatalogService;
  readonly similarity: SimilarityService;
  readonly training: TrainingService;
  close(): Promise<void>;
}

/** The ResNet50 engine, workers and batching the settings ask for. */
export function featureExtractorOptions(config: Config, log: (line: string) => void): FeatureExtractorOptions {
  return {
    engine: config.featureEngine,
    backend: config.backend,
    workers: config.featureWorkers,
    maxBatchSize: config.maxBatchSize,
    batchWindowMs: config.batchWindowMs,
    queueCapacity: config.imageQueueCapacity,
    cacheDir: config.modelCacheDir,
    modelUrl: config.resnet50ModelUrl,
    log,
  };
}

/** The image limits and the decoding queue the settings ask for. */
export function productImagesOptions(config: Config): ProductImagesOptions {
  return {
    maxImageBytes: config.maxImageBytes,
    maxImagePixels: config.maxImagePixels,
    maxFullDecodePixels: config.maxFullDecodePixels,
    decodeConcurrency: config.imageDecodeConcurrency,
    maxDecodeBytes: config.maxDecodeBytesInFlight,
    decodeTimeoutMs: config.imageDecodeTimeoutMs,
    queueCapacity: config.imageQueueCapacity,
    cacheBytes: config.imageCacheBytes,
    fetch: { timeoutMs: config.imageFetchTimeoutMs, concurrency: config.imageFetchConcurrency, allowedHosts: config.imageUrlAllowedHosts },
  };
}

/** The database and training alone, for a command that never reads an image: ResNet50 is not loaded. */
export type TrainingServices = Pick<Services, 'database' | 'training' | 'close'>;

export async function createTrainingServices(config: Config, log: (line: string) => void): Promise<TrainingServices> {
  const database = await openMigratedDatabase(config, log);
  try {
    const training = await trainingService(new Store(database.db), database, createTensorflowHeadEngine(await selectBackend(config.backend)), config, log);
    return {
      database,
      training,
      async close() {
        await training.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function createServices(config: Config, log: (line: string) => void): Promise<Services> {
  // ResNet50 loads on its threads while the database opens on its own (PGlite's
  // is a thread too): a command's start took the sum of the two.
  const loading = createFeatureExtractor(featureExtractorOptions(config, log));
  // Awaited below; a failure before then is not an unhandled rejection.
  loading.catch(() => {});
  const database = await openMigratedDatabase(config, log).catch(async (error: unknown) => {
    await loading.then((extractor) => extractor.close(), () => {});
    throw error;
  });
  const store = new Store(database.db);
  const snapshots = config.searchSnapshotDir === undefined ? undefined : new IndexSnapshots(config.searchSnapshotDir, log);
  const search = new ExactSearch(store.search, undefined, snapshots, log);
  // The index loads while ResNet50 does; the app's warm() then waits for the
  // same load, and tries again if the database was away.
  search.warm().catch(() => {});
  let extractor: FeatureExtractor | undefined;
  try {
    extractor = await loading;
    log(`ResNet50 on ${extractor.engine}, the head on TensorFlow.js ${extractor.backend}, ${extractor.workers} worker thread(s); database: ${database.kind}`);

    const images = new ProductImages(extractor, productImagesOptions(config));
    const engine = createTensorflowHeadEngine(extractor.backend);
    const models = new ActiveModel(engine);
    const training = await trainingService(store, database, engine, config, log);

    const similarity = new SimilarityService(store, images, models, search, { products: MAX_SCANNED_PRODUCTS, timeMs: config.nearDuplicatesScanMs });
    const services: Services = {
      database,
      extractor,
      images,
      catalog: new CatalogService(store, images, models, database.localChanges),
      similarity,
      training,
      async close() {
        await training.close();
        await similarity.saveSearchIndex().catch((error: unknown) => log(`search index snapshot not written: ${(error as Error).message}`));
        await services.extractor.close();
        await database.close();
      },
    };
    return services;
  } catch (error) {
    await extractor?.close();
    await database.close();
    throw error;
  }
}

/** The offline evaluation of the method, for the evaluate command: the API never runs it. */
export function evaluationService(services: Services, log: (line: string) => void): EvaluationService {
  return new EvaluationService(new Store(services.database.db), createTensorflowHeadEngine(services.extractor.backend), log);
}

async function trainingService(store: Store, database: Database, engine: HeadEngine, config: Config, log: (line: string) => void): Promise<TrainingService> {
  const training = new TrainingService(store, engine, {
    log,
    minCategoryProducts: config.minCategoryProducts,
    keepModelVersions: config.keepModelVersions,
  });
  const abandoned = await whileDatabaseAway(() => training.failAbandonedRuns(), database, config.database.startupWaitMs, log);
  if (abandoned.length > 0) log(`training runs whose process stopped, marked failed: ${abandoned.join(', ')}`);
  return training;
}
