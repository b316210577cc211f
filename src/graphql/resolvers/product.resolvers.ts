import { thumbnailPath } from '../../catalog/product.js';
import type { ProductResolvers } from '../generated/resolvers-types.js';

export const Product: ProductResolvers = {
  id: (product) => String(product.id),
  thumbnail: (product) => `data:image/webp;base64,${Buffer.from(product.thumbnail).toString('base64')}`,
  thumbnailUrl: (product) => thumbnailPath(product.id),
  createdAt: (product) => product.createdAt.toISOString(),
};
