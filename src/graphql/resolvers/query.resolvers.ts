import type { QueryResolvers } from '../generated/resolvers-types.js';
import { decodeCursor, parseId, productId } from '../ids.js';

export const Query: QueryResolvers = {
  service: (_parent, _args, { runtime }) => runtime,
  product: async (_parent, { id }, { catalog }) => {
    const value = parseId(id);
    return value === undefined ? null : ((await catalog.getProduct(value)) ?? null);
  },
  products: (_parent, { first, after, category }, { catalog }) =>
    catalog.listProducts({
      first,
      afterId: after ? decodeCursor(after) : undefined,
      category: category ?? undefined,
    }),
  similarProducts: (_parent, { id, k }, { similarity }) => similarity.similarProducts(productId(id), k),
  similarToImage: (_parent, { image, k }, { similarity }) => similarity.similarToImage(image, k),
  trainingRun: async (_parent, { id }, { training }) => {
    const value = parseId(id);
    return value === undefined ? null : ((await training.getRun(value)) ?? null);
  },
  trainingRuns: (_parent, { first }, { training }) => training.listRuns(first),
  modelVersions: (_parent, { first }, { training }) => training.listModelVersions(first),
};
