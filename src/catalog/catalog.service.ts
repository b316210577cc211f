import type { Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import type { ProductPage } from '../db/product.repository.js';
import type { Product } from './product.js';
import type { ActiveModel } from '../training/active-model.js';
import type { ProductImages } from './product-images.js';
import { normalizeCategory } from './category.js';
import { assertProductText } from './product-text.js';

export interface ProductInput {
  sku: string;
  name: string;
  category?: string | null | undefined;
  /** Base64 or a base64 data URL, or the file's bytes. */
  image: string | Uint8Array;
}

export const MAX_PRODUCTS_PER_CALL = 256;
export const MAX_PAGE_SIZE = 500;

export class CatalogService {
  constructor(
    private readonly store: Store,
    private readonly images: ProductImages,
    private readonly models: ActiveModel,
  ) {}

  /** All or nothing: one bad input stores none of the batch. */
  async addProducts(inputs: readonly ProductInput[]): Promise<Product[]> {
    if (inputs.length === 0 || inputs.length > MAX_PRODUCTS_PER_CALL) {
      throw new DomainError('BAD_USER_INPUT', `give between 1 and ${MAX_PRODUCTS_PER_CALL} products per call`);
    }
    const fields = inputs.map((input, index) => {
      try {
        return validate(input);
      } catch (error) {
        throw labelled(error, index, inputs.length);
      }
    });
    await this.assertSkusAreNew(fields.map((f) => f.sku));
    const images = await this.images.prepare(
      inputs.map((input) => input.image),
      (error, index) => labelled(error, index, inputs.length),
    );
    const features = images.map((image) => image.features);
    const products = fields.map((f, i) => ({
      ...f,
      thumbnail: images[i]!.thumbnail,
      imageWidth: images[i]!.width,
      imageHeight: images[i]!.height,
      features: features[i]!,
    }));
    return this.store
      .transaction(async (repositories) => {
        // Under the lock the active version cannot switch before this commits.
        await repositories.products.lockCatalog();
        // Under the lock no other batch can store another spelling of a category first.
        const spellings = await repositories.products.categorySpellings(products.map((p) => p.category));
        const inserted = await repositories.products.insertMany(
          products.map((p, i) => ({ ...p, category: spellings[i]! })),
        );
        const model = await this.models.current(repositories);
        if (!model) return inserted;
        const embedded = await model.embed(features);
        await repositories.embeddings.insertMany(
          model.version.id,
          inserted.map((product, i) => ({ productId: product.id, ...embedded[i]! })),
        );
        return inserted.map((product, i) => ({ ...product, predictedCategory: embedded[i]!.predictedCategory }));
      })
      .catch(rethrowDuplicateSku);
  }

  async getProduct(id: number): Promise<Product | undefined> {
    return this.store.products.findById(id);
  }

  /** A product's WebP thumbnail; undefined when there is no such product. */
  async getThumbnail(id: number): Promise<Uint8Array | undefined> {
    return this.store.products.thumbnail(id);
  }

  async listProducts(options: { first: number; afterId?: number | undefined; category?: string | undefined }): Promise<ProductPage> {
    if (!Number.isInteger(options.first) || options.first < 0 || options.first > MAX_PAGE_SIZE) {
      throw new DomainError('BAD_USER_INPUT', `first must be between 0 and ${MAX_PAGE_SIZE}`);
    }
    const category = options.category === undefined ? undefined : validCategory(options.category);
    // A filter with nothing left after normalization names no category: no product matches it.
    if (category === null) return { products: [], hasNextPage: false };
    return this.store.products.page({ ...options, category });
  }

  async deleteProduct(id: number): Promise<void> {
    if (!(await this.store.products.delete(id))) throw notFound(id);
  }

  async findBySkus(skus: readonly string[]): Promise<Product[]> {
    return this.store.products.findBySkus(skus);
  }

  /** Which of these skus the catalog has already. */
  async existingSkus(skus: readonly string[]): Promise<string[]> {
    return this.store.products.findExistingSkus(skus);
  }

  async countProducts(): Promise<number> {
    return this.store.products.count();
  }

  private async assertSkusAreNew(skus: string[]): Promise<void> {
    const repeated = skus.filter((sku, i) => skus.indexOf(sku) !== i);
    const existing = await this.store.products.findExistingSkus(skus);
    const duplicates = [...new Set([...repeated, ...existing])];
    if (duplicates.length > 0) {
      throw new DomainError('DUPLICATE_SKU', `sku already in the catalog: ${duplicates.join(', ')}`, { skus: duplicates });
    }
  }
}

export function notFound(id: number | string): DomainError {
  return new DomainError('NOT_FOUND', `no product with id ${id}`, { id: String(id) });
}

function validate(input: ProductInput) {
  assertProductText('sku', input.sku);
  assertProductText('name', input.name);
  const sku = input.sku.trim();
  const name = input.name.trim();
  const category = validCategory(input.category);
  if (sku.length === 0 || sku.length > 128) throw new DomainError('BAD_USER_INPUT', 'sku must be 1 to 128 characters', { field: 'sku' });
  if (name.length === 0 || name.length > 512) throw new DomainError('BAD_USER_INPUT', 'name must be 1 to 512 characters', { field: 'name' });
  return { sku, name, category };
}

/** Normalized, or null for none; case is matched against the catalog when it is stored. */
function validCategory(category: string | null | undefined): string | null {
  if (category === null || category === undefined) return null;
  assertProductText('category', category);
  const normalized = normalizeCategory(category);
  if (normalized !== null && normalized.length > 128) {
    throw new DomainError('BAD_USER_INPUT', 'category must be at most 128 characters', { field: 'category' });
  }
  return normalized;
}

/** Names the failing item of a batch, so a client knows which input to fix. */
function labelled(error: unknown, index: number, total: number): unknown {
  if (!(error instanceof DomainError) || total === 1) return error;
  return new DomainError(error.code, `input ${index}: ${error.message}`, { ...error.details, index });
}

function rethrowDuplicateSku(error: unknown): never {
  if ((error as { code?: string }).code === '23505') {
    throw new DomainError('DUPLICATE_SKU', 'sku already in the catalog');
  }
  throw error;
}
