import type { ProductPairConnectionResolvers } from '../generated/resolvers-types.js';
import { encodePairCursor } from '../ids.js';

export const ProductPairConnection: ProductPairConnectionResolvers = {
  space: (page) => (page.space === null ? 'RESNET50_FEATURES' : 'TRAINED_HEAD'),
  modelVersion: (page) => (page.space === null ? null : String(page.space)),
  edges: (page) => page.pairs.map((pair) => ({ cursor: encodePairCursor(pair.position), node: pair })),
  pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.end && encodePairCursor(page.end) }),
};
