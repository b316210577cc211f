import {
  getVariableValues,
  TypeInfo,
  ValidationContext,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createComplexityRule, type ComplexityEstimator, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { MAX_FACET_VALUES, MAX_FACETS } from '../domain/attribute-facets.js';
import { MAX_SCANNED_PRODUCTS } from '../catalog/near-duplicates.js';

/** What running one operation with its variables would take. */
export interface QueryPrice {
  /** Fields to resolve: each field 1, lists times their length, thumbnails THUMBNAIL_WEIGHT, each exact search SEARCH_WEIGHT. */
  cost: number;
  /** Images to decode and run through ResNet50. */
  images: number;
}

/** A thumbnail is a data URL of some 10 KB; the other fields are a few bytes each. */
export const THUMBNAIL_WEIGHT = 10;
/**
 * One exact k-nearest search, whatever k is: a scan of the index and a
 * statement, 0.59 ms on the loaded 2-core machine with 600 products, where a
 * 7 KB thumbnail took 0.24 ms. Weighed as a thumbnail all the same: more
 * would refuse a full page of nearDuplicates (first: 500, every pair's
 * fields), 1 + 240 searches + 500 edges, at the default MAX_QUERY_COST.
 */
export const SEARCH_WEIGHT = THUMBNAIL_WEIGHT;
/** Training runs list their epochs; priced at the method's 32. */
export const EPOCHS_PER_RUN = 32;

type Args = ComplexityEstimatorArgs['args'];

/** How many items a list field returns, from its arguments. */
const LIST_LENGTHS: Record<string, (args: Args) => number> = {
  'Query.products': (args) => count(args.first),
  'Query.similarProducts': (args) => count(args.k),
  'Query.similarToImage': (args) => count(args.k),
  'Query.recommend': (args) => count(args.k),
  'Query.nearDuplicates': (args) => count(args.first),
  'Query.trainingRuns': (args) => count(args.first),
  'TrainingRun.epochs': () => EPOCHS_PER_RUN,
  'Query.modelVersions': (args) => count(args.first),
  'Query.attributeFacets': () => MAX_FACETS,
  'AttributeFacet.values': () => MAX_FACET_VALUES,
  'Query.categories': (args) => count(args.first),
  // Its payload lists one product per input.
  'Mutation.addProducts': (args) => length(args.inputs),
};

/**
 * How many exact searches a field may run, from its arguments and the
 * limits, however few rows it returns: nearDuplicates runs one per product
 * it scans, and a page with no pair scans as many as a page may.
 */
const SEARCHES: Record<string, (args: Args) => number> = {
  'Query.similarProducts': () => 1,
  'Query.similarToImage': () => 1,
  'Query.recommend': () => 1,
  'Query.nearDuplicates': () => MAX_SCANNED_PRODUCTS,
  // Not a search, but a read of every product's attributes: weighed as ten.
  'Query.attributeFacets': () => 10,
};

const IMAGES: Record<string, (args: Args) => number> = {
  'Query.similarToImage': () => 1,
  'Mutation.addProduct': () => 1,
  'Mutation.addProducts': (args) => length(args.inputs),
  'Mutation.updateProduct': (args) => (typeof args.input === 'object' && (args.input?.image || args.input?.imageFile || args.input?.imageUrl) ? 1 : 0),
};

const costEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const key = `${type.name}.${field.name}`;
  if (key === 'Product.thumbnail') return THUMBNAIL_WEIGHT;
  const items = LIST_LENGTHS[key];
  const searches = SEARCHES[key]?.(args) ?? 0;
  return 1 + searches * SEARCH_WEIGHT + filterEntries(args.filter) + length(args.where) + length(args.positive) + length(args.negative) + (items ? items(args) : 1) * childComplexity;
};

/** A SimilarityFilter costs 1 an entry: each is a condition the search applies to every product. */
function filterEntries(filter: unknown): number {
  if (typeof filter !== 'object' || filter === null) return 0;
  const { categories, excludeCategories, excludeIds, where } = filter as Record<string, unknown>;
  return length(categories) + length(excludeCategories) + length(excludeIds) + length(where);
}

const imageEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) =>
  (IMAGES[`${type.name}.${field.name}`]?.(args) ?? 0) + childComplexity;

/**
 * Prices a validated operation with the request's raw variables; undefined
 * when the variables do not coerce, which execution then refuses before any
 * resolver runs.
 */
export function priceOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): QueryPrice | undefined {
  // One error is enough to know: hostile variables may hold millions of bad values.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  if (coerced.errors) return undefined;
  return {
    cost: complexity(schema, document, operation, variables, costEstimator),
    images: complexity(schema, document, operation, variables, imageEstimator),
  };
}

function complexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  estimator: ComplexityEstimator,
): number {
  const typeInfo = new TypeInfo(schema);
  // Arguments that do not coerce leave their field unpriced: execution answers them with an error and no value.
  const context = new ValidationContext(schema, document, typeInfo, () => {});
  const visitor = createComplexityRule({
    maximumComplexity: Number.MAX_VALUE,
    estimators: [estimator],
    variables,
    operationName: operation.name?.value,
    // The query's shape was bounded before validation; fragments are expanded per spread here.
    maxQueryNodes: Number.POSITIVE_INFINITY,
  })(context);
  visit(document, visitWithTypeInfo(typeInfo, visitor));
  return visitor.complexity;
}

/** A list length the resolver will see; negative ones it refuses. */
function count(value: unknown): number {
  return typeof value === 'number' && value > 0 ? value : 0;
}

function length(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}
