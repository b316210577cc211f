import { sql, type Kysely, type Selectable } from 'kysely';
import type { NewProduct, Neighbour, Product } from '../catalog/product.js';
import type { DB, ProductTable } from './schema.js';
import { fromVector, toVector } from './vector.js';

const PRODUCT_COLUMNS = [
  'id',
  'sku',
  'name',
  'category',
  'thumbnail',
  'image_width',
  'image_height',
  'created_at',
] as const;

type ProductRow = Pick<Selectable<ProductTable>, (typeof PRODUCT_COLUMNS)[number]>;

export interface ProductPage {
  products: Product[];
  hasNextPage: boolean;
}

export class ProductRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insertMany(products: readonly NewProduct[]): Promise<Product[]> {
    if (products.length === 0) return [];
    const rows = await this.db
      .insertInto('products')
      .values(
        products.map((p) => ({
          sku: p.sku,
          name: p.name,
          category: p.category,
          thumbnail: p.thumbnail,
          image_width: p.imageWidth,
          image_height: p.imageHeight,
          features: toVector(p.features),
        })),
      )
      .returning(PRODUCT_COLUMNS)
      .execute();
    return rows.map(toProduct);
  }

  async findById(id: number): Promise<Product | undefined> {
    const row = await this.db.selectFrom('products').select(PRODUCT_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toProduct(row);
  }

  async findExistingSkus(skus: readonly string[]): Promise<string[]> {
    if (skus.length === 0) return [];
    const rows = await this.db.selectFrom('products').select('sku').where('sku', 'in', skus).execute();
    return rows.map((row) => row.sku);
  }

  /** Keyset pagination by id; one extra row tells whether a next page exists. */
  async page(options: { first: number; afterId?: number | undefined; category?: string | undefined }): Promise<ProductPage> {
    let query = this.db.selectFrom('products').select(PRODUCT_COLUMNS).orderBy('id').limit(options.first + 1);
    if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
    if (options.category !== undefined) query = query.where('category', '=', options.category);
    const rows = await query.execute();
    return { products: rows.slice(0, options.first).map(toProduct), hasNextPage: rows.length > options.first };
  }

  async count(): Promise<number> {
    const { count } = await this.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('products').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async features(id: number): Promise<Float32Array | undefined> {
    const row = await this.db.selectFrom('products').select('features').where('id', '=', id).executeTakeFirst();
    return row && fromVector(row.features);
  }

  /** Exact L2 over the ResNet50 features: no approximate index exists on this column. */
  async nearestByFeatures(query: Float32Array, k: number, excludeId?: number): Promise<Neighbour[]> {
    const distance = sql<number>`features <-> ${toVector(query)}`;
    let search = this.db
      .selectFrom('products')
      .select([...PRODUCT_COLUMNS, distance.as('distance')])
      .orderBy(distance)
      .orderBy('id')
      .limit(k);
    if (excludeId !== undefined) search = search.where('id', '<>', excludeId);
    const rows = await search.execute();
    return rows.map((row) => ({ product: toProduct(row), distance: row.distance }));
  }
}

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    category: row.category,
    thumbnail: row.thumbnail,
    imageWidth: row.image_width,
    imageHeight: row.image_height,
    createdAt: row.created_at,
  };
}
