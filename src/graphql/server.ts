import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import type { GraphQLContext } from './context.js';
import { formatError } from './format-error.js';
import type { Resolvers } from './generated/resolvers-types.js';
import { MAX_QUERY_TOKENS, queryPricePlugin, queryShapeRule, type QueryLimits } from './query-limits.js';
import { Mutation } from './resolvers/mutation.resolvers.js';
import { ProductConnection } from './resolvers/product-connection.resolvers.js';
import { Product } from './resolvers/product.resolvers.js';
import { Query } from './resolvers/query.resolvers.js';
import { ServiceInfo } from './resolvers/service-info.resolvers.js';
import { Similarity } from './resolvers/similarity.resolvers.js';
import { TrainingRun } from './resolvers/training-run.resolvers.js';

export const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

const resolvers: Resolvers = { Query, Mutation, Product, ProductConnection, Similarity, ServiceInfo, TrainingRun };

export interface GraphQLServerOptions {
  limits: QueryLimits;
}

export function createGraphQLServer({ limits }: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    typeDefs: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers,
    formatError,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    validationRules: [queryShapeRule(limits)],
    plugins: [queryPricePlugin(limits)],
  });
}
