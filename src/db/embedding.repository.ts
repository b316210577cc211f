import { sql, type Kysely } from 'kysely';
import type { ProductFeatures } from '../domain/product.js';
import { toProductFeatures } from './product-rows.js';
import type { DB } from './schema.js';
import { toVector } from './vector.js';

export interface NewEmbedding {
  productId: number;
  /** Standardized 512-d mid-layer output. */
  embedding: Float32Array;
  predictedCategory: string;
}

/** The embeddings of the catalog under each model version. */
export class EmbeddingRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Skips products deleted since their features were read, and returns how
   * many it stored. The products it stores are share-locked until the
   * transaction ends, so a concurrent delete waits for it or goes first.
   */
  async insertMany(modelVersionId: number, embeddings: readonly NewEmbedding[]): Promise<number> {
    if (embeddings.length === 0) return 0;
    const result = await sql`
      insert into embeddings (model_version_id, product_id, embedding, predicted_category)
      select ${modelVersionId}::integer, given.product_id, given.embedding::vector, given.predicted_category
      from unnest(
        ${embeddings.map((e) => e.productId)}::integer[],
        ${embeddings.map((e) => toVector(e.embedding))}::text[],
        ${embeddings.map((e) => e.predictedCategory)}::text[]
      ) as given(product_id, embedding, predicted_category)
      join products on products.id = given.product_id
      for key share of products`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /** Removes these products' embeddings from every version: their images changed. */
  async deleteOf(productIds: readonly number[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.db.deleteFrom('embeddings').where('product_id', 'in', productIds).execute();
  }

  async count(modelVersionId: number): Promise<number> {
    const { count } = await this.db
      .selectFrom('embeddings')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('model_version_id', '=', modelVersionId)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Catalog products that have no embedding under this version yet, with their features. */
  async productsWithout(modelVersionId: number): Promise<ProductFeatures[]> {
    const rows = await this.db
      .selectFrom('products')
      .select(['products.id', 'products.category', 'products.features'])
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('embeddings')
              .select(sql`1`.as('one'))
              .whereRef('embeddings.product_id', '=', 'products.id')
              .where('embeddings.model_version_id', '=', modelVersionId),
          ),
        ),
      )
      .orderBy('products.id')
      .execute();
    return rows.map(toProductFeatures);
  }
}
