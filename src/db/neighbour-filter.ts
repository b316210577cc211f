import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { NeighbourFilter } from '../domain/neighbour-filter.js';
import { attributeConditionsSql } from './attribute-conditions.js';

/**
 * A filter as one WHERE condition over `products` and a distance expression:
 * the plain pgvector search and the re-rank of the in-process index's
 * candidates both apply it, so both answer under the same conditions.
 */
export function filterCondition(filter: NeighbourFilter, distance: RawBuilder<number>): RawBuilder<SqlBool> {
  const conditions = [sql`true`];
  if (filter.categoryKeys) conditions.push(sql`products.category_key = any(${filter.categoryKeys}::text[])`);
  if (filter.excludedCategoryKeys.length > 0) {
    conditions.push(sql`(products.category_key is null or products.category_key <> all(${filter.excludedCategoryKeys}::text[]))`);
  }
  if (filter.excludedIds.length > 0) conditions.push(sql`products.id <> all(${filter.excludedIds}::integer[])`);
  conditions.push(...attributeConditionsSql(filter.where));
  // The same expression as the distance returned, so a neighbour shown at the bound is one the bound kept.
  if (filter.maxDistance !== undefined) conditions.push(sql`${distance} <= ${filter.maxDistance}::float8`);
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}
