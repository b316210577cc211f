import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { EmbeddingSpace } from '../domain/embedding-space.js';
import type { NeighbourFilter } from '../domain/neighbour-filter.js';
import { filterCondition } from './neighbour-filter.js';
import { PRODUCT_COLUMNS, selectProducts } from './product-rows.js';
import type { DB } from './schema.js';
import { toVector } from './vector.js';

// Where a space's vectors live: the raw ResNet50 features on products (the
// space null) or one model version's embeddings. Every statement that reads
// a space by id or by distance is built here, so that distinction lives in
// one module (Kysely's reusable helpers: functions that return builders).

/** A query vector: given, or a catalog product's own, read by the statement itself instead of sent as 10 kB of text. */
export type QueryVector = Float32Array | { ofProduct: number };

/** The space's products nearest first by exact L2, ties by id: the one order every search of the space answers in. */
export function nearestInSpace(db: Kysely<DB>, space: EmbeddingSpace, query: QueryVector, filter?: NeighbourFilter) {
  return space === null ? nearestByFeatures(db, query, filter) : nearestEmbeddings(db, space, query, filter);
}

/** Which products of a space a read takes, in id order: after `after`, up to `last`, among `ids`, at most `limit`. */
export interface VectorRange {
  after?: number;
  last?: number;
  ids?: RawBuilder<number>;
  limit?: number;
}

/**
 * Per product of the space: its id, its vector and its category key, in
 * this order (search.repository.ts reads them by binary COPY).
 */
export function vectorsInSpace(db: Kysely<DB>, space: EmbeddingSpace, range: VectorRange) {
  if (space === null) {
    return db
      .selectFrom('products')
      .select(['products.id', 'products.features', 'products.category_key'])
      .$if(range.after !== undefined, (query) => query.where('products.id', '>', sql.lit(range.after!)))
      .$if(range.last !== undefined, (query) => query.where('products.id', '<=', sql.lit(range.last!)))
      .$if(range.ids !== undefined, (query) => query.where('products.id', '=', range.ids!))
      .orderBy('products.id')
      .$if(range.limit !== undefined, (query) => query.limit(sql.lit(range.limit!)));
  }
  return db
    .selectFrom('embeddings')
    .select((eb) => [
      'embeddings.product_id',
      'embeddings.embedding',
      // A lookup per row: a join may be planned as a merge from the first product on every page.
      eb.selectFrom('products').select('products.category_key').whereRef('products.id', '=', 'embeddings.product_id').as('category_key'),
    ])
    .where('embeddings.model_version_id', '=', sql.lit(space))
    .$if(range.after !== undefined, (query) => query.where('embeddings.product_id', '>', sql.lit(range.after!)))
    .$if(range.last !== undefined, (query) => query.where('embeddings.product_id', '<=', sql.lit(range.last!)))
    .$if(range.ids !== undefined, (query) => query.where('embeddings.product_id', '=', range.ids!))
    .orderBy('embeddings.product_id')
    .$if(range.limit !== undefined, (query) => query.limit(sql.lit(range.limit!)));
}

/** The first and last product id with a vector in the space (null, null when it has none). */
export function idSpanInSpace(db: Kysely<DB>, space: EmbeddingSpace) {
  return space === null
    ? db.selectFrom('products').select((eb) => [eb.fn.min('products.id').as('first'), eb.fn.max('products.id').as('last')])
    : db
        .selectFrom('embeddings')
        .select((eb) => [eb.fn.min('embeddings.product_id').as('first'), eb.fn.max('embeddings.product_id').as('last')])
        .where('embeddings.model_version_id', '=', space);
}

/** The product's vector in the space, as pgvector's text. */
export function vectorInSpace(db: Kysely<DB>, space: EmbeddingSpace, productId: number) {
  return space === null
    ? db.selectFrom('products').select('products.features as vector').where('products.id', '=', productId)
    : db
        .selectFrom('embeddings')
        .select('embeddings.embedding as vector')
        .where('embeddings.model_version_id', '=', space)
        .where('embeddings.product_id', '=', productId);
}

function nearestByFeatures(db: Kysely<DB>, query: QueryVector, filter?: NeighbourFilter) {
  const target = query instanceof Float32Array ? sql`${toVector(query)}` : sql`(select features from products where id = ${query.ofProduct})`;
  const distance = sql<number>`products.features <-> ${target}`;
  const search = selectProducts(db).select(distance.as('distance')).orderBy('distance').orderBy('products.id');
  return filter ? search.where(filterCondition(filter, distance)) : search;
}

function nearestEmbeddings(db: Kysely<DB>, modelVersionId: number, query: QueryVector, filter?: NeighbourFilter): ReturnType<typeof nearestByFeatures> {
  const target =
    query instanceof Float32Array
      ? sql`${toVector(query)}`
      : sql`(select embedding from embeddings where model_version_id = ${modelVersionId} and product_id = ${query.ofProduct})`;
  const distance = sql<number>`embeddings.embedding <-> ${target}`;
  const search = db
    .selectFrom('embeddings')
    .innerJoin('products', 'products.id', 'embeddings.product_id')
    .select([...PRODUCT_COLUMNS, 'embeddings.predicted_category', distance.as('distance')])
    .where('embeddings.model_version_id', '=', modelVersionId)
    .orderBy('distance')
    .orderBy('products.id');
  return filter ? search.where(filterCondition(filter, distance)) : search;
}
