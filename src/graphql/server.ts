import { readFileSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLContext } from './context.js';
import { formatErrorWith, type UnexpectedError } from './format-error.js';
import type { Resolvers } from './generated/resolvers-types.js';
import { MAX_QUERY_TOKENS, queryPricePlugin, queryShapeRule, type QueryLimits } from './query-limits.js';
import { ModelVersion } from './resolvers/model-version.resolvers.js';
import { Mutation } from './resolvers/mutation.resolvers.js';
import { ProductConnection } from './resolvers/product-connection.resolvers.js';
import { ProductPairConnection } from './resolvers/product-pair-connection.resolvers.js';
import { Product } from './resolvers/product.resolvers.js';
import { Query } from './resolvers/query.resolvers.js';
import { ServiceInfo } from './resolvers/service-info.resolvers.js';
import { Similarity } from './resolvers/similarity.resolvers.js';
import { TrainingRun } from './resolvers/training-run.resolvers.js';
import { Upload } from './upload.js';
import { AttributesScalar, AttributeValueScalar, JSONObjectScalar } from './json-scalars.js';

export const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

const resolvers: Resolvers = { Upload, Attributes: AttributesScalar, AttributeValue: AttributeValueScalar, JSONObject: JSONObjectScalar, Query, Mutation, Product, ProductConnection, ProductPairConnection, Similarity, ServiceInfo, TrainingRun, ModelVersion };

export interface GraphQLServerOptions {
  /** The edge's plugins: access, HTTP status, metrics. */
  plugins: ApolloServerPlugin<GraphQLContext>[];
  /** Told of errors that are not the service's own. */
  logUnexpected: (error: UnexpectedError) => void;
  limits: QueryLimits;
  /** The max-age of a field the schema leaves unmarked: a catalog read's (Config.cache.catalogMaxAgeSeconds). */
  catalogMaxAgeSeconds: number;
}

export function createGraphQLServer({ plugins, logUnexpected, limits, catalogMaxAgeSeconds }: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    typeDefs: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers,
    formatError: formatErrorWith(logUnexpected),
    includeStacktraceInErrorResponses: false,
    // The edge stops the server in its own shutdown, after the requests in flight.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    validationRules: [queryShapeRule(limits)],
    // Apollo's page loads Sandbox from a CDN; the edge serves its own page.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Root fields and objects unmarked in the schema are catalog reads.
      ApolloServerPluginCacheControl({ defaultMaxAge: catalogMaxAgeSeconds }),
      queryPricePlugin(limits),
      ...plugins,
    ],
  });
}
