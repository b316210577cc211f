import type { ApolloServer } from '@apollo/server';
import { loadConfig, type Config } from '../../src/config.js';
import { servicesContext, type GraphQLContext } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import type { Services } from '../../src/services.js';

/** The GraphQL server as the service builds it, with the settings' limits and without the HTTP edge's plugins. */
export function testGraphQLServer(config: Config = loadConfig({})): ApolloServer<GraphQLContext> {
  return createGraphQLServer({ plugins: [], logUnexpected: () => {}, limits: { ...config.query, maxImages: config.maxImagesPerRequest }, catalogMaxAgeSeconds: config.cache.catalogMaxAgeSeconds });
}

/** What a request with the admin token gets as its context. */
export function staffContext(services: Services): GraphQLContext {
  return { ...servicesContext(services), mayWrite: true, writesNeedToken: false, signal: new AbortController().signal };
}
