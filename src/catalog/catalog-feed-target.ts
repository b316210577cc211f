import type { Attributes } from '../domain/attributes.js';
import type { CatalogService, ProductInput } from './catalog.service.js';
import type { FeedTarget, StoredProduct } from './feed-target.js';
import { productRefusal } from './product-refusal.js';
import type { ImageSource } from './product-images.js';

/** A feed import into the catalog service of this process: its links fetched here, with the service's own guards and settings. */
export class CatalogFeedTarget implements FeedTarget {
  constructor(
    private readonly catalog: CatalogService,
    private readonly signal?: AbortSignal,
  ) {}

  async stored(skus: readonly string[]): Promise<StoredProduct[]> {
    const products = await this.catalog.findBySkus(skus);
    const origins = await this.catalog.imageOrigins(products.map((p) => p.id));
    return products.map((p) => ({
      id: String(p.id),
      sku: p.sku,
      name: p.name,
      category: p.category,
      attributes: p.attributes,
      image: origins.get(p.id) ?? { sha256: null, url: null },
    }));
  }

  async upsert(inputs: readonly ProductInput<ImageSource>[]): Promise<void> {
    await this.catalog.addProducts(inputs, 'UPDATE').catch(refusal);
  }

  async updateFields(id: string, fields: { name: string; category: string | null; attributes: Attributes }): Promise<void> {
    await this.catalog.updateProduct(Number(id), fields, this.signal).catch(refusal);
  }

  async *products(): AsyncIterable<{ id: string; sku: string }> {
    let afterId: number | undefined;
    for (;;) {
      const page = await this.catalog.listProducts({ first: 500, afterId });
      for (const p of page.products) yield { id: String(p.id), sku: p.sku };
      if (!page.hasNextPage) return;
      afterId = page.products.at(-1)!.id;
    }
  }

  async delete(id: string): Promise<void> {
    await this.catalog.deleteProduct(Number(id));
  }
}

function refusal(error: unknown): never {
  throw productRefusal(error) ?? error;
}
