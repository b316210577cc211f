import type { SearchState } from '../db/search.repository.js';
import type { Repositories, Store } from '../db/store.js';
import { isUniqueViolation } from '../db/database-errors.js';
import { DomainError, productNotFound } from '../errors.js';
import type { CategoryCount, ImageOrigin, Product, ProductPage } from '../domain/product.js';
import type { ActiveModel } from '../training/active-model.js';
import type { ImageSource, ProductImage, ProductImages } from './product-images.js';
import { attributeConditions, type AttributeConditionInput } from '../domain/attribute-condition.js';
import { AttributeFacetsCache, MAX_FACET_VALUES, MAX_FACETS, type AttributeFacet } from '../domain/attribute-facets.js';
import { attributesOf, NO_ATTRIBUTES, patchAttributes } from '../domain/attributes.js';
import { CatalogState } from './catalog-state.js';
import { normalizeCategory } from '../domain/category.js';
import { assertProductText } from '../domain/product-text.js';
import { MAX_SKU_LENGTH, normalizeSku, validSku } from './sku.js';
import { turnBatch } from './turn-batch.js';

/** A product to add; importers hold their images as base64 or bytes, the API's inputs may be links too. */
export interface ProductInput<Image extends ImageSource = string | Uint8Array> {
  sku: string;
  name: string;
  category?: string | null | undefined;
  /** The store's own fields, checked by attributesOf; none when left out. */
  attributes?: unknown;
  /** Base64 or a base64 data URL, the file's bytes, or a link to fetch. */
  image: Image;
}

export const MAX_PRODUCTS_PER_CALL = 256;
export const MAX_PAGE_SIZE = 500;

export class CatalogService {
  private readonly thumbnails = turnBatch((ids: number[]) => this.store.products.thumbnails(ids));
  /** Forgotten after each write through this process, so a page sees its own change at once. */
  private readonly facets = new AttributeFacetsCache(() => this.store.products.attributeFacets(MAX_FACETS, MAX_FACET_VALUES));
  private readonly imageOriginsById = turnBatch((ids: number[]) => this.store.products.imageOrigins(ids));
  private readonly catalogState: CatalogState;

  /** `localChanges`: the embedded database's count of statements that may write (Database.localChanges). */
  constructor(
    private readonly store: Store,
    private readonly images: ProductImages,
    private readonly models: ActiveModel,
    localChanges?: () => number,
  ) {
    this.catalogState = new CatalogState(() => this.store.search.state(), localChanges);
  }

  /**
   * All or nothing: one bad input stores none of the batch. A sku the catalog
   * has already fails the batch (FAIL), is left as it is (SKIP: its image is
   * not even analysed) or has its name, category and image replaced by the
   * input (UPDATE). The answer lists one product per input, in input order.
   * A client that hangs up (`signal`) before its images are analysed stores nothing: REQUEST_ABORTED.
   */
  async addProducts(inputs: readonly ProductInput<ImageSource>[], onExisting: ExistingSku = 'FAIL', signal?: AbortSignal): Promise<Product[]> {
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
    const skus = fields.map((f) => f.sku);
    assertNoRepeats(skus);
    const existing = new Set(await this.store.products.findExistingSkus(skus));
    if (onExisting === 'FAIL') assertSkusAreNew([...existing]);
    // SKIP leaves the products there untouched: their images are not analysed.
    const analysed = fields.flatMap((f, index) => (onExisting === 'SKIP' && existing.has(f.sku) ? [] : [index]));
    const prepared = await this.images.prepare(
      analysed.map((index) => inputs[index]!.image),
      { label: (error, i) => labelled(error, analysed[i]!, inputs.length), signal },
    );
    const images = new Map(analysed.map((index, i) => [index, prepared[i]!]));
    return this.store
      .transaction(async (repositories) => {
        // Under the lock the active version cannot switch before this commits.
        await repositories.products.lockCatalog();
        // Under the lock no other batch can store another spelling of a category, or a sku, first.
        const stored = new Map((await repositories.products.findBySkus(skus)).map((p) => [p.sku, p]));
        if (onExisting === 'FAIL') assertSkusAreNew([...stored.keys()]);
        const changed = [...images.keys()].filter((index) => onExisting === 'UPDATE' || !stored.has(fields[index]!.sku));
        const vanished = fields.filter((f, index) => !stored.has(f.sku) && !images.has(index)).map((f) => f.sku);
        if (vanished.length > 0) {
          throw new DomainError('CATALOG_CHANGED', `products removed while this batch was added: ${vanished.join(', ')}; send it again`, { skus: vanished });
        }
        const spellings = await repositories.products.categorySpellings(changed.map((index) => fields[index]!.category));
        const products = changed.map((index, i) => ({ ...fields[index]!, category: spellings[i]!, ...productImage(images.get(index)!) }));
        const fresh = products.filter((p) => !stored.has(p.sku));
        const ids = new Map((await repositories.products.insertMany(fresh)).map((p) => [p.sku, p.id]));
        for (const product of products) {
          const id = stored.get(product.sku)?.id;
          // The image too: its features, thumbnail and origin, not the fields alone.
          if (id !== undefined) await repositories.products.update(id, { ...product, image: product });
        }
        await repositories.embeddings.deleteOf(products.flatMap((p) => stored.get(p.sku)?.id ?? []));
        await this.embed(repositories, products.map((p) => ({ productId: ids.get(p.sku) ?? stored.get(p.sku)!.id, features: p.features })));
        const answer = new Map((await repositories.products.findBySkus(skus)).map((p) => [p.sku, p]));
        return skus.map((sku) => answer.get(sku)!);
      })
      .catch(rethrowDuplicateSku)
      .finally(() => this.facets.forget());
  }

  /**
   * Changes the fields given; a new image is analysed first, then its
   * features, thumbnail and active embedding replace the old ones in one
   * transaction, so a bad image changes nothing.
   */
  async updateProduct(id: number, update: ProductUpdate, signal?: AbortSignal): Promise<Product> {
    const name = update.name === undefined || update.name === null ? undefined : validName(update.name);
    const category = update.category === undefined ? undefined : validCategory(update.category);
    const given = update.attributes === undefined || update.attributes === null ? undefined : attributesOf(update.attributes);
    const patch = update.attributesPatch ?? undefined;
    if (given && patch !== undefined) {
      throw new DomainError('BAD_USER_INPUT', 'give attributes (all of them) or attributesPatch (the changes), not both', { field: 'attributesPatch' });
    }
    const [image] = update.image === undefined || update.image === null ? [] : await this.images.prepare([update.image], { signal });
    return this.store.transaction(async (repositories) => {
      await repositories.products.lockCatalog();
      const [spelling] = category === undefined ? [undefined] : await repositories.products.categorySpellings([category]);
      let attributes = given;
      if (patch !== undefined) {
        const current = await repositories.products.findById(id);
        if (!current) throw productNotFound(id);
        attributes = patchAttributes(current.attributes, patch);
      }
      const changes = { name, category: spelling, attributes, image: image && productImage(image) };
      if (!(await repositories.products.update(id, changes))) throw productNotFound(id);
      if (image) {
        await repositories.embeddings.deleteOf([id]);
        await this.embed(repositories, [{ productId: id, features: image.features }]);
      }
      return (await repositories.products.findById(id))!;
    }).finally(() => this.facets.forget());
  }

  /**
   * New images' embeddings in the active version. An updated product's old
   * embeddings are deleted first in every version: none may keep its old image.
   */
  private async embed(repositories: Repositories, products: readonly { productId: number; features: Float32Array }[]): Promise<void> {
    const model = await this.models.current(repositories);
    if (!model || products.length === 0) return;
    const embedded = await model.embed(products.map((p) => p.features));
    await repositories.embeddings.insertMany(
      model.version.id,
      products.map((p, i) => ({ productId: p.productId, ...embedded[i]! })),
    );
  }

  /** Normalized as skus are stored. Text no sku may hold is BAD_USER_INPUT, as when adding. */
  async findBySku(given: string): Promise<Product | undefined> {
    const sku = normalizeSku(given);
    return sku.length > MAX_SKU_LENGTH ? undefined : this.store.products.findBySku(sku);
  }

  async getProduct(id: number): Promise<Product | undefined> {
    return this.store.products.findById(id);
  }

  /**
   * A product's WebP thumbnail (longest side 256 px); undefined when there is
   * no such product. Products are read without it; the thumbnails asked for
   * together are read together.
   */
  async getThumbnail(id: number): Promise<Uint8Array | undefined> {
    return this.thumbnails(id);
  }

  /** What a product's image was stored from; undefined when there is no such product. Asked together, read together. */
  async getImageOrigin(id: number): Promise<ImageOrigin | undefined> {
    return this.imageOriginsById(id);
  }

  /** What these products' images were stored from, by id. */
  async imageOrigins(ids: readonly number[]): Promise<Map<number, ImageOrigin>> {
    return this.store.products.imageOrigins(ids);
  }

  async listProducts(options: {
    first: number;
    afterId?: number | undefined;
    category?: string | undefined;
    where?: readonly AttributeConditionInput[] | null | undefined;
  }): Promise<ProductPage> {
    if (!Number.isInteger(options.first) || options.first < 0 || options.first > MAX_PAGE_SIZE) {
      throw new DomainError('BAD_USER_INPUT', `first must be between 0 and ${MAX_PAGE_SIZE}`);
    }
    const category = options.category === undefined ? undefined : validCategory(options.category);
    // A filter with nothing left after normalization names no category: no product matches it.
    if (category === null) return { products: [], hasNextPage: false };
    return this.store.products.page({ ...options, category, where: attributeConditions('where', options.where) });
  }

  /** The catalog's attribute keys with their kinds, ranges and common values, counted at most every FACETS_TTL_MS. */
  attributeFacets(): Promise<AttributeFacet[]> {
    return this.facets.get();
  }

  async deleteProduct(id: number): Promise<void> {
    const deleted = await this.store.products.delete(id).finally(() => this.facets.forget());
    if (!deleted) throw productNotFound(id);
  }

  async findBySkus(skus: readonly string[]): Promise<Product[]> {
    return this.store.products.findBySkus(skus.map(normalizeSku));
  }

  /** Which of these skus the catalog has already, as it stores them (normalized). */
  async existingSkus(skus: readonly string[]): Promise<string[]> {
    return this.store.products.findExistingSkus(skus.map(normalizeSku));
  }

  /** The change-log generation and the active model version, counting every write committed before the call. */
  state(): Promise<SearchState> {
    return this.catalogState.current();
  }

  async countProducts(): Promise<number> {
    return this.store.products.count();
  }

  /** The first categories by products held, then by name. */
  async categoryCounts(first: number): Promise<CategoryCount[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw new DomainError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    return this.store.products.largestCategories(first);
  }

}

/** What to do with an input whose sku the catalog has: see CatalogService.addProducts. */
export type ExistingSku = 'FAIL' | 'SKIP' | 'UPDATE';

/** Fields left undefined or null keep their value, but a null category removes it. */
export interface ProductUpdate {
  name?: string | null | undefined;
  category?: string | null | undefined;
  /** Replaces every attribute. */
  attributes?: unknown;
  /** A JSON merge patch of the attributes (attributes.ts). */
  attributesPatch?: unknown;
  image?: ImageSource | null | undefined;
}

function assertNoRepeats(skus: readonly string[]): void {
  const repeated = [...new Set(skus.filter((sku, i) => skus.indexOf(sku) !== i))];
  if (repeated.length > 0) throw new DomainError('DUPLICATE_SKU', `sku given twice in the batch: ${repeated.join(', ')}`, { skus: repeated });
}

function assertSkusAreNew(existing: readonly string[]): void {
  if (existing.length > 0) {
    throw new DomainError('DUPLICATE_SKU', `sku already in the catalog: ${existing.join(', ')}`, { skus: existing });
  }
}

function productImage(image: ProductImage) {
  return {
    thumbnail: image.thumbnail,
    imageWidth: image.width,
    imageHeight: image.height,
    features: image.features,
    imageSha256: image.sha256,
    imageUrl: image.url,
  };
}

function validate(input: ProductInput<ImageSource>) {
  const sku = validSku(input.sku);
  const name = validName(input.name);
  const category = validCategory(input.category);
  const attributes = input.attributes === undefined || input.attributes === null ? NO_ATTRIBUTES : attributesOf(input.attributes);
  return { sku, name, category, attributes };
}

function validName(given: string): string {
  assertProductText('name', given);
  const name = given.trim();
  if (name.length === 0 || name.length > 512) throw new DomainError('BAD_USER_INPUT', 'name must be 1 to 512 characters', { field: 'name' });
  return name;
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
  if (isUniqueViolation(error)) {
    throw new DomainError('DUPLICATE_SKU', 'sku already in the catalog');
  }
  throw error;
}
