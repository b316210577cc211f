import { startStandaloneServer } from '@apollo/server/standalone';
import { CatalogService } from './catalog/catalog.service.js';
import { ProductImages } from './catalog/product-images.js';
import { SimilarityService } from './catalog/similarity.service.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrator.js';
import { Store } from './db/store.js';
import type { GraphQLContext } from './graphql/context.js';
import { createGraphQLServer } from './graphql/server.js';
import { createFeatureExtractor } from './ml/feature-extractor.js';

export interface App {
  readonly url: string;
  readonly database: Database;
  stop(): Promise<void>;
}

/** Opens the database, applies migrations, loads ResNet50 and serves GraphQL over HTTP. */
export async function startApp(config: Config, log: (line: string) => void = console.log): Promise<App> {
  const database = await openDatabase(config);
  try {
    const applied = await migrate(database.db);
    if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
    const extractor = await createFeatureExtractor({
      backend: config.backend,
      workers: config.featureWorkers,
      maxBatchSize: config.maxBatchSize,
      batchWindowMs: config.batchWindowMs,
      cacheDir: config.modelCacheDir,
      modelUrl: config.resnet50ModelUrl,
    });
    log(`ResNet50 on the ${extractor.backend} backend with ${extractor.workers} worker(s); database: ${database.kind}`);

    const store = new Store(database.db);
    const images = new ProductImages(extractor, config.maxImageBytes);
    const context: GraphQLContext = {
      catalog: new CatalogService(store, images),
      similarity: new SimilarityService(store, images),
      runtime: { backend: extractor.backend, featureWorkers: extractor.workers, database: database.kind },
    };
    const server = createGraphQLServer();
    const { url } = await startStandaloneServer(server, {
      listen: { host: config.http.host, port: config.http.port },
      context: async () => context,
    });
    return {
      url,
      database,
      async stop() {
        await server.stop();
        await extractor.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
