import type { Attributes } from '../domain/attributes.js';
import type { ProductInput } from './catalog.service.js';
import type { ImageSource } from './product-images.js';
import type { ImageOrigin } from '../domain/product.js';

/** A product as a feed import compares it with its row. */
export interface StoredProduct {
  id: string;
  sku: string;
  name: string;
  category: string | null;
  attributes: Attributes;
  image: ImageOrigin;
}

/** Where a feed import writes: the catalog in this process, or a running service (--url). */
export interface FeedTarget {
  /** The products with these (normalized) skus. */
  stored(skus: readonly string[]): Promise<StoredProduct[]>;
  /** Adds the products, replacing those whose sku is there; all or nothing, a ProductRefusal naming the product at fault. */
  upsert(inputs: readonly ProductInput<ImageSource>[]): Promise<void>;
  /** Replaces a product's name, category and attributes, its image left as it is; a ProductRefusal when they are refused. */
  updateFields(id: string, fields: { name: string; category: string | null; attributes: Attributes }): Promise<void>;
  /** Every product's id and sku, a page at a time. */
  products(): AsyncIterable<{ id: string; sku: string }>;
  delete(id: string): Promise<void>;
}
