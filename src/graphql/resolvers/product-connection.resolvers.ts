import type { ProductConnectionResolvers } from '../generated/resolvers-types.js';
import { encodeCursor } from '../ids.js';

export const ProductConnection: ProductConnectionResolvers = {
  edges: (page) => page.products.map((product) => ({ cursor: encodeCursor(product.id), node: product })),
  pageInfo: (page) => {
    const last = page.products.at(-1);
    return { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last.id) : null };
  },
  totalCount: (_page, _args, { catalog }) => catalog.countProducts(),
};
