import { startStandaloneServer } from '@apollo/server/standalone';
import type { Config } from './config.js';
import type { GraphQLContext } from './graphql/context.js';
import { createGraphQLServer } from './graphql/server.js';
import { createServices, type Services } from './services.js';

export interface App {
  readonly url: string;
  readonly services: Services;
  stop(): Promise<void>;
}

/** The services, served as GraphQL over HTTP. */
export async function startApp(config: Config, log: (line: string) => void = console.log): Promise<App> {
  const services = await createServices(config, log);
  const context: GraphQLContext = {
    catalog: services.catalog,
    similarity: services.similarity,
    training: services.training,
    runtime: {
      backend: services.extractor.backend,
      featureWorkers: services.extractor.workers,
      database: services.database.kind,
    },
  };
  const server = createGraphQLServer({ limits: { ...config.query, maxImages: config.maxImagesPerRequest } });
  try {
    const warming = performance.now();
    await services.similarity.warm();
    log(`search index loaded in ${((performance.now() - warming) / 1000).toFixed(1)} s`);
    const { url } = await startStandaloneServer(server, {
      listen: { host: config.http.host, port: config.http.port },
      context: async () => context,
    });
    return {
      url,
      services,
      async stop() {
        await server.stop();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}
