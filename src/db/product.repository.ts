import { sql, type Kysely } from 'kysely';
import type { AttributeCondition } from '../domain/attribute-condition.js';
import type { AttributeFacet } from '../domain/attribute-facets.js';
import type { Attributes } from '../domain/attributes.js';
import { categoryKey } from '../domain/category.js';
import { attributeConditionsSql } from './attribute-conditions.js';
import type { CategoryCount, ImageOrigin, NewProduct, Product, ProductFeatures, ProductPage } from '../domain/product.js';
import { byteaAsBase64, fromBase64, toBytea } from './bytes.js';
import { PRODUCT_COLUMNS, selectProducts, toProduct, toProductFeatures } from './product-rows.js';
import type { DB } from './schema.js';
import { toVector } from './vector.js';

/** What an update changes: each field left undefined keeps its value; a null category removes it. */
export interface ProductChanges {
  name?: string | undefined;
  category?: string | null | undefined;
  attributes?: Attributes | undefined;
  image?: Pick<NewProduct, 'thumbnail' | 'imageWidth' | 'imageHeight' | 'features' | 'imageSha256' | 'imageUrl'> | undefined;
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
          category_key: p.category === null ? null : categoryKey(p.category),
          attributes: JSON.stringify(p.attributes ?? {}),
          thumbnail: toBytea(p.thumbnail),
          image_width: p.imageWidth,
          image_height: p.imageHeight,
          features: toVector(p.features),
          image_sha256: p.imageSha256 ?? null,
          image_url: p.imageUrl ?? null,
        })),
      )
      .returning(PRODUCT_COLUMNS)
      .execute();
    return rows.map((row) => toProduct({ ...row, predicted_category: null }));
  }

  async findBySku(sku: string): Promise<Product | undefined> {
    const row = await this.selectProducts().where('products.sku', '=', sku).executeTakeFirst();
    return row && toProduct(row);
  }

  /** Changes the fields given and returns the product as stored, without its predicted category; undefined when it is gone. */
  async update(id: number, changes: ProductChanges): Promise<Product | undefined> {
    const { image } = changes;
    const row = await this.db
      .updateTable('products')
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.category !== undefined && {
          category: changes.category,
          category_key: changes.category === null ? null : categoryKey(changes.category),
        }),
        ...(changes.attributes !== undefined && { attributes: JSON.stringify(changes.attributes) }),
        ...(image && {
          thumbnail: toBytea(image.thumbnail),
          image_width: image.imageWidth,
          image_height: image.imageHeight,
          features: toVector(image.features),
          image_sha256: image.imageSha256 ?? null,
          image_url: image.imageUrl ?? null,
        }),
      })
      .where('id', '=', id)
      .returning(PRODUCT_COLUMNS)
      .executeTakeFirst();
    return row && toProduct({ ...row, predicted_category: null });
  }

  async findById(id: number): Promise<Product | undefined> {
    const row = await this.selectProducts().where('products.id', '=', id).executeTakeFirst();
    return row && toProduct(row);
  }

  /** The WebP thumbnail alone, without the rest of the row. */
  async thumbnail(id: number): Promise<Uint8Array | undefined> {
    const row = await this.db
      .selectFrom('products')
      .select(byteaAsBase64('products.thumbnail').as('thumbnail'))
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromBase64(row.thumbnail);
  }

  /** The WebP thumbnails of these products by id, in one read; ids that name no product are absent. */
  async thumbnails(ids: readonly number[]): Promise<Map<number, Uint8Array>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('products')
      .select(['id', byteaAsBase64('products.thumbnail').as('thumbnail')])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [row.id, fromBase64(row.thumbnail)]));
  }

  /** What these products' images were stored from, by id; ids that name no product are absent. */
  async imageOrigins(ids: readonly number[]): Promise<Map<number, ImageOrigin>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('products').select(['id', 'image_sha256', 'image_url']).where('id', 'in', ids).execute();
    return new Map(rows.map((row) => [row.id, { sha256: row.image_sha256, url: row.image_url }]));
  }

  async findExistingSkus(skus: readonly string[]): Promise<string[]> {
    if (skus.length === 0) return [];
    const rows = await this.db.selectFrom('products').select('sku').where('sku', 'in', skus).execute();
    return rows.map((row) => row.sku);
  }

  /** Keyset pagination by id; one extra row tells whether a next page exists. */
  async page(options: { first: number; afterId?: number | undefined; category?: string | undefined; where?: readonly AttributeCondition[] | undefined }): Promise<ProductPage> {
    let query = this.selectProducts().orderBy('products.id').limit(options.first + 1);
    if (options.afterId !== undefined) query = query.where('products.id', '>', options.afterId);
    if (options.category !== undefined) {
      query = query.where('products.category_key', '=', categoryKey(options.category));
    }
    for (const condition of attributeConditionsSql(options.where ?? [])) query = query.where(condition);
    const rows = await query.execute();
    return { products: rows.slice(0, options.first).map(toProduct), hasNextPage: rows.length > options.first };
  }

  /**
   * Every attribute key with the type all its values share (mixed ones left
   * out), how many products have it, a number key's range and a string
   * key's most common strings (a list counts each of its strings once).
   */
  async attributeFacets(maxFacets: number, maxValues: number): Promise<AttributeFacet[]> {
    const { rows: keys } = await sql<{ key: string; kind: AttributeFacet['kind']; products: number; min: number | null; max: number | null }>`
      select key, kind, products, min, max from (
        select e.key,
               case when bool_and(jsonb_typeof(e.value) = 'boolean') then 'BOOLEAN'
                    when bool_and(jsonb_typeof(e.value) = 'number') then 'NUMBER'
                    when bool_and(jsonb_typeof(e.value) in ('string', 'array')) then 'STRING' end as kind,
               count(*)::int as products,
               min(case when jsonb_typeof(e.value) = 'number' then (e.value)::float8 end) as min,
               max(case when jsonb_typeof(e.value) = 'number' then (e.value)::float8 end) as max
        from products p, jsonb_each(p.attributes) e
        group by e.key
      ) facets
      where kind is not null
      order by products desc, key
      limit ${maxFacets}`.execute(this.db);
    const strings = keys.filter((facet) => facet.kind === 'STRING').map((facet) => facet.key);
    const { rows: values } =
      strings.length === 0
        ? { rows: [] }
        : await sql<{ key: string; value: string; products: number; distinct: number }>`
            select key, value, products, distinct_values::int as distinct from (
              select key, value, products,
                     count(*) over (partition by key) as distinct_values,
                     row_number() over (partition by key order by products desc, value) as rank
              from (
                select e.key, s.value, count(distinct p.id)::int as products
                from products p
                cross join jsonb_each(p.attributes) e
                cross join lateral (
                  select e.value #>> '{}' as value where jsonb_typeof(e.value) = 'string'
                  union all
                  select item from jsonb_array_elements_text(case when jsonb_typeof(e.value) = 'array' then e.value else '[]'::jsonb end) item
                ) s
                where e.key = any(${strings}::text[])
                group by e.key, s.value
              ) counted
            ) ranked
            where rank <= ${maxValues}
            order by key, rank`.execute(this.db);
    return keys.map(({ key, kind, products, min, max }) => {
      const mine = values.filter((row) => row.key === key);
      return {
        key,
        kind,
        productCount: products,
        min: kind === 'NUMBER' ? min : null,
        max: kind === 'NUMBER' ? max : null,
        distinctValues: mine[0]?.distinct ?? 0,
        values: mine.map((row) => ({ value: row.value, productCount: row.products })),
      };
    });
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

  /** Products that have a category, with their features: what a head trains on. */
  async labelledFeatures(): Promise<ProductFeatures[]> {
    const rows = await this.db
      .selectFrom('products')
      .select(['id', 'category', 'features'])
      .where('category', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map(toProductFeatures);
  }

  async categoryCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('products')
      .select(['category', (eb) => eb.fn.countAll<string | number>().as('count')])
      .where('category', 'is not', null)
      .groupBy('category')
      .execute();
    return new Map(rows.map((row) => [row.category!, Number(row.count)]));
  }

  /** The categories holding most products, ties by name, with their counts. */
  async largestCategories(first: number): Promise<CategoryCount[]> {
    const rows = await this.db
      .selectFrom('products')
      .select(['category', (eb) => eb.fn.countAll<string | number>().as('count')])
      .where('category', 'is not', null)
      .groupBy('category')
      .orderBy('count', 'desc')
      .orderBy('category')
      .limit(first)
      .execute();
    return rows.map((row) => ({ name: row.category!, productCount: Number(row.count) }));
  }

  /**
   * The spelling to store for each of these categories (same order): the one
   * the catalog has for it ignoring case, else the first of these with it.
   * Call it under the catalog lock, in the transaction that inserts.
   */
  async categorySpellings(categories: readonly (string | null)[]): Promise<(string | null)[]> {
    const firstGiven = new Map<string, string>();
    for (const category of categories) {
      if (category !== null && !firstGiven.has(categoryKey(category))) firstGiven.set(categoryKey(category), category);
    }
    if (firstGiven.size === 0) return categories.map(() => null);
    const stored = await this.db
      .selectFrom('products')
      .select(['category_key', 'category'])
      .distinctOn('category_key')
      .where('category_key', 'in', [...firstGiven.keys()])
      .orderBy('category_key')
      .orderBy('id')
      .execute();
    const spelling = new Map(stored.map((row) => [row.category_key!, row.category!]));
    return categories.map((c) => (c === null ? null : (spelling.get(categoryKey(c)) ?? firstGiven.get(categoryKey(c))!)));
  }

  /** Features of the products with these skus, in no particular order. */
  async featuresBySkus(skus: readonly string[]): Promise<(ProductFeatures & { sku: string })[]> {
    if (skus.length === 0) return [];
    const rows = await this.db
      .selectFrom('products')
      .select(['id', 'sku', 'category', 'features'])
      .where('sku', 'in', skus)
      .execute();
    return rows.map((row) => ({ ...toProductFeatures(row), sku: row.sku }));
  }

  async findBySkus(skus: readonly string[]): Promise<Product[]> {
    if (skus.length === 0) return [];
    const rows = await this.selectProducts().where('products.sku', 'in', skus).execute();
    return rows.map(toProduct);
  }

  /** One page of the whole catalog's features in id order, for embedding it in chunks. */
  async featuresAfter(afterId: number, limit: number): Promise<ProductFeatures[]> {
    const rows = await this.db
      .selectFrom('products')
      .select(['id', 'category', 'features'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toProductFeatures);
  }

  /**
   * Serializes writes to the catalog with a model version switch, so a product
   * is embedded into whichever version is active when it lands.
   */
  async lockCatalog(): Promise<void> {
    await sql`select pg_advisory_xact_lock(${CATALOG_LOCK_KEY})`.execute(this.db);
  }

  private selectProducts() {
    return selectProducts(this.db);
  }
}

const CATALOG_LOCK_KEY = 4_181_726_513;
