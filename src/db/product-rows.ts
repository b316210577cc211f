import type { Kysely, Selectable } from 'kysely';
import type { Neighbour, Product, ProductFeatures } from '../domain/product.js';
import type { DB, ProductTable } from './schema.js';
import { fromVector } from './vector.js';

// A product as the repositories read it, and its row turned into the domain's Product.

export const PRODUCT_COLUMNS = [
  'products.id',
  'products.sku',
  'products.name',
  'products.category',
  'products.attributes',
  'products.image_width',
  'products.image_height',
  'products.created_at',
] as const;

/** A product row without its thumbnail: lists and lookups leave the bytes to thumbnails(), for the clients that ask. */
export type ProductRow = Omit<Selectable<ProductTable>, 'features' | 'thumbnail' | 'category_key' | 'image_sha256' | 'image_url'> & {
  predicted_category: string | null;
};

/** Product columns, plus the active model version's predicted category. */
export function selectProducts(db: Kysely<DB>) {
  return db
    .selectFrom('products')
    .leftJoin('embeddings', (join) =>
      join
        .onRef('embeddings.product_id', '=', 'products.id')
        .on('embeddings.model_version_id', '=', (eb) =>
          eb.selectFrom('model_versions').select('model_versions.id').where('model_versions.active', '=', true),
        ),
    )
    .select([...PRODUCT_COLUMNS, 'embeddings.predicted_category']);
}


export function toNeighbour(row: ProductRow & { distance: number }): Neighbour {
  return { product: toProduct(row), distance: row.distance };
}

export function toProductFeatures(row: { id: number; category: string | null; features: string }): ProductFeatures {
  return { id: row.id, category: row.category, features: fromVector(row.features) };
}

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    category: row.category,
    attributes: row.attributes,
    imageWidth: row.image_width,
    imageHeight: row.image_height,
    createdAt: row.created_at,
    predictedCategory: row.predicted_category,
  };
}
