import type { SpaceId } from '../db/search.repository.js';
import type { Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import type { ExactSearch } from '../search/exact-search.js';
import { notFound } from './catalog.service.js';
import { NO_FILTER, type NeighbourFilter } from './neighbour-filter.js';
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
    private readonly search: ExactSearch,
  ) {}

  /** Loads the search index of the active space ahead of the first query. */
  async warm(): Promise<void> {
    await this.search.warm();
  }

  /** Products in the in-memory search index. */
  indexedProducts(): number {
    return this.search.indexedProducts;
  }

  /** The space queries are answered in now, and the model version behind it. */
  async activeSpace(): Promise<{ space: EmbeddingSpace; modelVersionId: number | null }> {
    const model = await this.models.current(this.store);
    return model ? { space: 'TRAINED_HEAD', modelVersionId: model.version.id } : { space: 'RESNET50_FEATURES', modelVersionId: null };
  }

  /** The k catalog products nearest to a product of the catalog, the product itself excluded. */
  async similarProducts(id: number, k: number, filter: NeighbourFilter = NO_FILTER): Promise<Similarity> {
    assertK(k);
    const found = await this.search.similarTo(id, k, filter);
    if (!found) throw notFound(id);
    return similarity(found.space, found.neighbours);
  }

  /** The k catalog products nearest to an image that is not in the catalog: the method's inference step. */
  async similarToImage(image: string, k: number, filter: NeighbourFilter = NO_FILTER): Promise<Similarity> {
    assertK(k);
    const [prepared] = await this.images.prepare([image]);
    const { features } = prepared!;
    const model = await this.models.current(this.store);
    if (model) {
      const [query] = await model.embed([features]);
      return similarity(model.version.id, await this.search.nearest(model.version.id, query!.embedding, k, filter));
    }
    return similarity(null, await this.search.nearest(null, features, k, filter));
  }
}

function similarity(space: SpaceId, neighbours: Neighbour[]): Similarity {
  return space === null
    ? { space: 'RESNET50_FEATURES', modelVersionId: null, neighbours }
    : { space: 'TRAINED_HEAD', modelVersionId: space, neighbours };
}

function assertK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new DomainError('BAD_USER_INPUT', `k must be an integer from 1 to ${MAX_K}`, { k });
  }
}
