import { DomainError } from '../../errors.js';
import { thumbnailPath } from '../../domain/product.js';
import type { ProductResolvers } from '../generated/resolvers-types.js';

export const Product: ProductResolvers = {
  id: (product) => String(product.id),
  thumbnail: async (product, _args, { catalog }) => {
    const bytes = await catalog.getThumbnail(product.id);
    if (!bytes) throw new DomainError('NOT_FOUND', 'the product was deleted while being read', { id: String(product.id) });
    return `data:image/webp;base64,${Buffer.from(bytes).toString('base64')}`;
  },
  thumbnailUrl: (product) => thumbnailPath(product.id),
  imageSha256: async (product, _args, { catalog }) => (await catalog.getImageOrigin(product.id))?.sha256 ?? null,
  imageUrl: async (product, _args, { catalog }) => (await catalog.getImageOrigin(product.id))?.url ?? null,
  createdAt: (product) => product.createdAt.toISOString(),
};
