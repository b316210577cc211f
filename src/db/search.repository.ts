import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Attributes } from '../domain/attributes.js';
import type { NeighbourFilter } from '../domain/neighbour-filter.js';
import type { Neighbour } from '../domain/product.js';
import { copyOut, CopyReader, dropSpareCopyOutputs, recycleCopyOutput, type CopyOutput } from './copy-out.js';
import { toNeighbour } from './product-rows.js';
import { idSpanInSpace, nearestInSpace, vectorInSpace, vectorsInSpace, type QueryVector } from './space-queries.js';
import type { DB } from './schema.js';
import { fromVector } from './vector.js';
import type { EmbeddingSpace } from '../domain/embedding-space.js';

/** Where the catalog stands: the change log's generation and the space then active. */
export interface SearchState {
  generation: number;
  activeSpace: EmbeddingSpace;
}

/**
 * What a copy of the active space's index is valid for: this database, and
 * this activation of the space (a version's embeddings change unlogged while
 * it is inactive, so a later activation is another space).
 */
export interface SpaceOrigin {
  database: string;
  /** When the active version was switched on, to the microsecond; null for the raw features, which are always logged. */
  activatedAt: string | null;
}

export interface StoredVector {
  productId: number;
  vector: Float32Array;
  /** The product's category key (domain/category.ts), read with the vector: the index filters by it. */
  categoryKey: string | null;
}

/** Vectors a statement of eachVector reads: a few megabytes. */
const VECTORS_PER_STATEMENT = 2000;
/** Spans of product ids eachVector reads side by side: at a million, 1 took 10.3 s, 2 7.4 s, 3 6.5 s and 4 6.3 s (2 cores, bench/RESULTS.md). */
const VECTOR_RANGES = 4;

/** A vector as read, valid during the call only: the reader's buffer holds the next one after it. */
export type EachVector = (productId: number, vector: Float32Array, categoryKey: string | null) => void;

export interface ProductAttributes {
  productId: number;
  attributes: Attributes;
}

/** Neighbours ranked by pgvector, with the state of the snapshot that ranked them. */
export interface RankedNeighbours {
  neighbours: Neighbour[];
  /** Undefined when no candidate was left to rank. */
  state: SearchState | undefined;
  /** Whether the query product's vector changed after the generation the candidates were picked at. */
  queryChanged: boolean;
}

/**
 * What the in-process indexes (src/search/) read: the change log that
 * triggers keep (migrations/003), the vectors of a space in pgvector's binary
 * form, and pgvector's own ranking of a candidate set.
 */
export class SearchRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async state(): Promise<SearchState> {
    const row = await this.db.selectFrom('search_generation').select(STATE_COLUMNS).executeTakeFirstOrThrow();
    return toState(row);
  }

  /** The product's vector in the space; undefined when it has none there. */
  async vectorOf(space: EmbeddingSpace, productId: number): Promise<Float32Array | undefined> {
    const row = await vectorInSpace(this.db, space, productId).executeTakeFirst();
    return row && fromVector(row.vector);
  }

  /** pgvector's exact search of the whole space, without the index: no approximate index exists on these columns. */
  async nearest(space: EmbeddingSpace, query: Float32Array, k: number, filter?: NeighbourFilter, excludeProductId?: number): Promise<Neighbour[]> {
    const search = nearestInSpace(this.db, space, query, filter)
      .$if(excludeProductId !== undefined, (query) => query.where('products.id', '<>', excludeProductId!))
      .limit(k);
    return (await search.execute()).map(toNeighbour);
  }

  /** The state, with the origin of the space then active: one snapshot. */
  async stateWithOrigin(): Promise<SearchState & { origin: SpaceOrigin }> {
    const row = await this.db
      .selectFrom('search_generation')
      .select([
        ...STATE_COLUMNS,
        sql<string>`database_id::text`.as('database'),
        sql<string | null>`(select activated_at::text from model_versions where active)`.as('activated_at'),
      ])
      .executeTakeFirstOrThrow();
    return { ...toState(row), origin: { database: row.database, activatedAt: row.activated_at } };
  }

  /**
   * What changed after a generation, and the generation the lists are
   * complete up to, in one snapshot: the products whose vectors or
   * categories changed, and those whose other fields alone did.
   */
  async changedSince(generation: number): Promise<{ generation: number; productIds: number[]; attributesChanged: number[] }> {
    const rows = await this.db
      .selectFrom('search_generation as g')
      .leftJoin('search_changes as c', (join) => join.on('c.generation', '>', generation))
      .select(['g.generation', 'c.product_id', sql<boolean | null>`c.vectors_generation > ${generation}`.as('vectors')])
      .execute();
    const changed = rows.filter((row) => row.product_id !== null);
    return {
      generation: Number(rows[0]!.generation),
      productIds: changed.filter((row) => row.vectors).map((row) => row.product_id!),
      attributesChanged: changed.filter((row) => !row.vectors).map((row) => row.product_id!),
    };
  }

  /** One page of the products that have attributes, in id order. */
  async attributesAfter(afterId: number, limit: number): Promise<ProductAttributes[]> {
    return this.db
      .selectFrom('products')
      .select(['id as productId', 'attributes'])
      .where('id', '>', afterId)
      .where(sql<boolean>`attributes <> '{}'::jsonb`)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** The attributes these products have now; a product no longer in the catalog is absent. */
  async attributesOf(productIds: readonly number[]): Promise<ProductAttributes[]> {
    if (productIds.length === 0) return [];
    return this.db.selectFrom('products').select(['id as productId', 'attributes']).where('id', '=', anyOf(productIds)).execute();
  }

  /** One page of a space's vectors in product id order. */
  async vectorsAfter(space: EmbeddingSpace, afterId: number, limit: number): Promise<StoredVector[]> {
    const stored: StoredVector[] = [];
    eachStoredVector(await this.#vectorPage(space, afterId, limit), (productId, vector, categoryKey) => stored.push({ productId, vector: vector.slice(), categoryKey }));
    return stored;
  }

  /**
   * Every vector of a space, handed to `each` in turn in one buffer that the
   * next overwrites: the in-process index's load. The product ids are split
   * in `ranges` spans read side by side, each in id order on a connection of
   * its own, and each asks for its next page before it hands one over: the
   * server then reads and sends on several cores while this process files
   * what has come (the server's CPU for a page is about this process's, so
   * one range left this process waiting half the time).
   */
  async eachVector(space: EmbeddingSpace, each: EachVector, perStatement = VECTORS_PER_STATEMENT, ranges = VECTOR_RANGES): Promise<void> {
    const span = await this.#idSpan(space);
    if (!span) return;
    const width = Math.ceil((span.last - span.first + 1) / ranges);
    const refused = { stop: false };
    const reads = Array.from({ length: ranges }, (_, i) => span.first - 1 + i * width).map((after) =>
      this.#eachInRange(space, after, Math.min(span.last, after + width), each, perStatement, refused),
    );
    try {
      await Promise.all(reads);
    } finally {
      refused.stop = true;
      await Promise.allSettled(reads);
      dropSpareCopyOutputs();
    }
  }

  /** The vectors of products after `afterId` up to `lastId`, a page at a time, until the range ends or another range fails. */
  async #eachInRange(space: EmbeddingSpace, afterId: number, lastId: number, each: EachVector, perStatement: number, refused: { stop: boolean }): Promise<void> {
    for (let page = this.#vectorPage(space, afterId, perStatement, lastId); !refused.stop; ) {
      const rows = await page;
      const { count, lastProductId } = lastTuple(rows);
      const next = count === perStatement ? this.#vectorPage(space, lastProductId, perStatement, lastId) : undefined;
      // Awaited once this page is handed over: if `each` throws, it ends unheard.
      next?.catch(() => {});
      if (refused.stop) return;
      try {
        eachStoredVector(rows, each);
      } catch (error) {
        refused.stop = true;
        throw error;
      }
      for (const row of rows) recycleCopyOutput(row);
      if (!next) return;
      page = next;
    }
  }

  /** The first and last product id with a vector in the space; undefined when it has none. */
  async #idSpan(space: EmbeddingSpace): Promise<{ first: number; last: number } | undefined> {
    const row = await idSpanInSpace(this.db, space).executeTakeFirstOrThrow();
    return row.first === null || row.last === null ? undefined : { first: Number(row.first), last: Number(row.last) };
  }

  #vectorPage(space: EmbeddingSpace, after: number, limit: number, last?: number): Promise<CopyOutput[]> {
    return copyOut(vectorsInSpace(this.db, space, { after, last, limit })).execute(this.db).then(({ rows }) => rows);
  }

  /** The vectors these products have in a space now; a product without one is absent. */
  async vectorsOf(space: EmbeddingSpace, productIds: readonly number[]): Promise<StoredVector[]> {
    if (productIds.length === 0) return [];
    const ids = sql<number>`any(${sql.lit(`{${productIds.join(',')}}`)}::integer[])`;
    const stored: StoredVector[] = [];
    eachStoredVector((await copyOut(vectorsInSpace(this.db, space, { ids })).execute(this.db)).rows, (productId, vector, categoryKey) => stored.push({ productId, vector: vector.slice(), categoryKey }));
    return stored;
  }

  /**
   * pgvector's exact ranking restricted to candidates, and to the products
   * changed after `changedAfter` (the generation the candidates were picked
   * at): the same ORDER BY as a search of the whole space, in one statement
   * with the state it saw, and whether the query product's own vector
   * changed after that generation.
   */
  async nearestAmong(
    space: EmbeddingSpace,
    query: QueryVector,
    k: number,
    candidates: readonly number[],
    filter?: NeighbourFilter,
    changedAfter?: number,
  ): Promise<RankedNeighbours> {
    // One array, so the planner looks the rows up by id: an OR with a subquery
    // would scan every product, and test the filter on each.
    const ids =
      changedAfter === undefined
        ? anyOf(candidates)
        : sql<number>`any(${candidates}::integer[] || array(select product_id from search_changes where generation > ${changedAfter}))`;
    const among = (eb: ExpressionBuilder<DB, 'products'>) =>
      eb.and([
        eb('products.id', '=', ids),
        // The candidates leave the query product out; a change may have logged it.
        ...(query instanceof Float32Array ? [] : [eb('products.id', '<>', query.ofProduct)]),
      ]);
    const queryChanged =
      changedAfter === undefined || query instanceof Float32Array
        ? sql<boolean>`false`
        : sql<boolean>`exists (select 1 from search_changes where product_id = ${query.ofProduct} and vectors_generation > ${changedAfter})`;
    const rows = await nearestInSpace(this.db, space, query, filter).where(among).select([...STATE_COLUMNS, queryChanged.as('query_changed')]).limit(k).execute();
    return { neighbours: rows.map(toNeighbour), state: rows[0] && toState(rows[0]), queryChanged: rows[0]?.query_changed ?? false };
  }
}

type StateRow = { generation: string | number | bigint; active_space: number | null };

const STATE_COLUMNS = [
  sql<string | number | bigint>`(select generation from search_generation)`.as('generation'),
  sql<number | null>`(select id from model_versions where active)`.as('active_space'),
];

function toState(row: StateRow): SearchState {
  return { generation: Number(row.generation), activeSpace: row.active_space };
}

function anyOf(ids: readonly number[]) {
  return sql<number>`any(${ids}::integer[])`;
}

/** How many tuples of copyOut(featureVectors or embeddingVectors) there are, and the product id of the last. */
function lastTuple(rows: CopyOutput[]): { count: number; lastProductId: number } {
  let count = 0;
  let lastProductId = 0;
  for (const { copy } of rows) {
    const reader = new CopyReader(copy);
    while (reader.nextTuple()) {
      reader.field();
      lastProductId = copy.readInt32BE(reader.start);
      reader.field();
      reader.field();
      count++;
    }
  }
  return { count, lastProductId };
}

/**
 * Hands `each` the tuples of copyOut(featureVectors or embeddingVectors): a
 * product id, a vector in vector_send's form (int16 dimensions, int16
 * unused, then float4s, all big-endian), byte-swapped into one buffer, and a
 * category key.
 */
function eachStoredVector(rows: CopyOutput[], each: EachVector): void {
  let vector = new Float32Array(0);
  let bytes = Buffer.alloc(0);
  for (const { copy } of rows) {
    const reader = new CopyReader(copy);
    while (reader.nextTuple()) {
      reader.field();
      const productId = copy.readInt32BE(reader.start);
      reader.field();
      const dimensions = copy.readUInt16BE(reader.start);
      if (vector.length !== dimensions) {
        vector = new Float32Array(dimensions);
        bytes = Buffer.from(vector.buffer);
      }
      copy.copy(bytes, 0, reader.start + 4, reader.start + 4 + 4 * dimensions);
      bytes.swap32();
      const keyBytes = reader.field();
      each(productId, vector, keyBytes < 0 ? null : copy.toString('utf8', reader.start, reader.start + keyBytes));
    }
  }
}
