import { spaceKind, spaceModelVersion } from '../embedding-space.js';
import type { ProductPairConnectionResolvers } from '../generated/resolvers-types.js';
import { encodePairCursor } from '../ids.js';

export const ProductPairConnection: ProductPairConnectionResolvers = {
  space: (page) => spaceKind(page.space),
  modelVersion: (page) => spaceModelVersion(page.space),
  edges: (page) => page.pairs.map((pair) => ({ cursor: encodePairCursor(pair.position), node: pair })),
  pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.end && encodePairCursor(page.end) }),
  scannedThrough: (page) => (page.scannedThrough === null ? null : String(page.scannedThrough)),
};
