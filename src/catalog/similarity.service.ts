import type { Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import { notFound } from './catalog.service.js';
import type { Neighbour } from './product.js';
import type { ProductImages } from './product-images.js';

export const MAX_K = 100;

export type EmbeddingSpace = 'RESNET50_FEATURES' | 'TRAINED_HEAD';

export interface Similarity {
  /** The space whose exact L2 distances ranked the neighbours. */
  space: EmbeddingSpace;
  modelVersionId: number | null;
  neighbours: Neighbour[];
}

export class SimilarityService {
  constructor(
    private readonly store: Store,
    private readonly images: ProductImages,
  ) {}

  /** The k catalog products nearest to a product of the catalog, the product itself excluded. */
  async similarProducts(id: number, k: number): Promise<Similarity> {
    assertK(k);
    const features = await this.store.products.features(id);
    if (!features) throw notFound(id);
    const neighbours = await this.store.products.nearestByFeatures(features, k, id);
    return { space: 'RESNET50_FEATURES', modelVersionId: null, neighbours };
  }

  /** The k catalog products nearest to an image that is not in the catalog. */
  async similarToImage(image: string, k: number): Promise<Similarity> {
    assertK(k);
    const [features] = await this.images.features([await this.images.prepare(image)]);
    const neighbours = await this.store.products.nearestByFeatures(features!, k);
    return { space: 'RESNET50_FEATURES', modelVersionId: null, neighbours };
  }
}

function assertK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new DomainError('BAD_USER_INPUT', `k must be an integer from 1 to ${MAX_K}`, { k });
  }
}
