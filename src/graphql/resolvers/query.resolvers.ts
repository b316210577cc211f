import type { QueryResolvers } from '../generated/resolvers-types.js';
import { requiredImageArgument } from '../image-argument.js';
import { decodeCursor, decodePairCursor, parseId, productId } from '../ids.js';
import { similarityFilter } from '../similarity-filter.js';

export const Query: QueryResolvers = {
  service: (_parent, _args, { runtime }) => runtime,
  product: async (_parent, { id }, { catalog }) => {
    const value = parseId(id);
    return value === undefined ? null : ((await catalog.getProduct(value)) ?? null);
  },
  productBySku: async (_parent, { sku }, { catalog }) => (await catalog.findBySku(sku)) ?? null,
  products: (_parent, { first, after, category, where }, { catalog }) =>
    catalog.listProducts({
      first,
      afterId: after ? decodeCursor(after) : undefined,
      category: category ?? undefined,
      where,
    }),
  attributeFacets: (_parent, _args, { catalog }) => catalog.attributeFacets(),
  similarProducts: (_parent, { id, k, filter, maxDistance }, { similarity }) =>
    similarity.similarProducts(productId(id), k, similarityFilter(filter, maxDistance)),
  similarToImage: (_parent, { image, imageFile, imageUrl, k, filter, maxDistance }, { similarity, signal }) =>
    similarity.similarToImage(requiredImageArgument({ image, imageFile, imageUrl }), k, similarityFilter(filter, maxDistance), signal),
  recommend: (_parent, { positive, negative, k, filter, maxDistance }, { similarity }) =>
    similarity.recommend(positive.map(productId), (negative ?? []).map(productId), k, similarityFilter(filter, maxDistance)),
  nearDuplicates: (_parent, { maxDistance, first, after }, { similarity }) =>
    similarity.nearDuplicates({ maxDistance, first, after: after ? decodePairCursor(after) : undefined }),
  trainingRun: async (_parent, { id }, { training }) => {
    const value = parseId(id);
    return value === undefined ? null : ((await training.getRun(value)) ?? null);
  },
  trainingRuns: (_parent, { first }, { training }) => training.listRuns(first),
  modelVersions: (_parent, { first }, { training }) => training.listModelVersions(first),
  categories: (_parent, { first }, { catalog }) => catalog.categoryCounts(first),
};
