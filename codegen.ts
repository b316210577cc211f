import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/graphql/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: true,
        useTypeImports: true,
        enumsAsTypes: true,
        mapperTypeSuffix: 'Model',
        contextType: '../context.js#GraphQLContext',
        mappers: {
          Product: '../../catalog/product.js#Product',
          Similarity: '../../catalog/similarity.service.js#Similarity',
          ProductConnection: '../../db/product.repository.js#ProductPage',
          ServiceInfo: '../context.js#ServiceInfoSource',
          TrainingRun: '../../training/training-run.js#TrainingRun',
        },
      },
    },
  },
};

export default config;
