import type { Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import { notFound } from './catalog.service.js';
import type { Neighbour } from './product.js';
import type { ActiveModel } from '../training/active-model.js';
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
    private readonly models: ActiveModel,
  ) {}

  /** The space queries are answered in now, and the model version behind it. */
  async activeSpace(): Promise<{ space: EmbeddingSpace; modelVersionId: number | null }> {
    const model = await this.models.current(this.store);
    return model ? { space: 'TRAINED_HEAD', modelVersionId: model.version.id } : { space: 'RESNET50_FEATURES', modelVersionId: null };
  }

  /** The k catalog products nearest to a product of the catalog, the product itself excluded. */
  async similarProducts(id: number, k: number): Promise<Similarity> {
    assertK(k);
    const model = await this.models.current(this.store);
    if (model) {
      const embedding = await this.store.embeddings.embeddingOf(model.version.id, id);
      if (!embedding) throw notFound(id);
      const neighbours = await this.store.embeddings.nearest(model.version.id, embedding, k, id);
      return { space: 'TRAINED_HEAD', modelVersionId: model.version.id, neighbours };
    }
    const features = await this.store.products.features(id);
    if (!features) throw notFound(id);
    const neighbours = await this.store.products.nearestByFeatures(features, k, id);
    return { space: 'RESNET50_FEATURES', modelVersionId: null, neighbours };
  }

  /** The k catalog products nearest to an image that is not in the catalog: the method's inference step. */
  async similarToImage(image: string, k: number): Promise<Similarity> {
    assertK(k);
    const [features] = await this.images.features([await this.images.prepare(image)]);
    const model = await this.models.current(this.store);
    if (model) {
      const [query] = await model.embed([features!]);
      const neighbours = await this.store.embeddings.nearest(model.version.id, query!.embedding, k);
      return { space: 'TRAINED_HEAD', modelVersionId: model.version.id, neighbours };
    }
    const neighbours = await this.store.products.nearestByFeatures(features!, k);
    return { space: 'RESNET50_FEATURES', modelVersionId: null, neighbours };
  }
}

function assertK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new DomainError('BAD_USER_INPUT', `k must be an integer from 1 to ${MAX_K}`, { k });
  }
}
