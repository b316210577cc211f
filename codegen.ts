// Generates the resolver types from schema.graphql (`npm run codegen`).
// graphql-codegen's core and plugins, without its CLI: the CLI brings schema
// loaders for URLs and GitHub whose dependencies need Node 22, and a local
// schema file needs none of them. The schema is sorted as the CLI sorts it.
import { codegen } from '@graphql-codegen/core';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptResolvers from '@graphql-codegen/typescript-resolvers';
import { buildSchema, lexicographicSortSchema, parse, printSchema } from 'graphql';
import { readFile, writeFile } from 'node:fs/promises';

const output = 'src/graphql/generated/resolvers-types.ts';
const schema = lexicographicSortSchema(buildSchema(await readFile('schema.graphql', 'utf8')));

const code = await codegen({
  filename: output,
  schema: parse(printSchema(schema)),
  schemaAst: schema,
  documents: [],
  plugins: [{ typescript: {} }, { 'typescript-resolvers': {} }],
  pluginMap: { typescript, 'typescript-resolvers': typescriptResolvers },
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
      ModelVersion: '../../training/model-version.js#ModelVersionSummary',
    },
  },
});
await writeFile(output, code);
