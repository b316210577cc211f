import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AttributeCondition } from '../domain/attribute-condition.js';

/**
 * Conditions on `products.attributes` as SQL, with the meaning
 * domain/attribute-condition.ts gives them in the in-process index: jsonb
 * containment is equality for a scalar and membership for an array (a list
 * of strings); numbers compare as numeric, in which every float64 the API
 * stores keeps its order; a missing key is SQL null, which no condition but
 * `exists: false` lets through.
 */
export function attributeConditionsSql(conditions: readonly AttributeCondition[]): RawBuilder<SqlBool>[] {
  return conditions.flatMap(({ key, eq, in: anyOf, gte, lte, exists }) => {
    const value = sql`(products.attributes -> ${key}::text)`;
    const parts: RawBuilder<SqlBool>[] = [];
    if (exists !== undefined) parts.push(exists ? sql`jsonb_exists(products.attributes, ${key}::text)` : sql`not jsonb_exists(products.attributes, ${key}::text)`);
    if (eq !== undefined) parts.push(sql`coalesce(${value} @> ${JSON.stringify(eq)}::jsonb, false)`);
    if (anyOf !== undefined) parts.push(sql`coalesce(${value} @> any(${anyOf.map((v) => JSON.stringify(v))}::jsonb[]), false)`);
    // CASE, not AND: SQL may evaluate a cast before the test that guards it.
    if (gte !== undefined) parts.push(sql`case when jsonb_typeof(${value}) = 'number' then ${value}::numeric >= ${String(gte)}::numeric else false end`);
    if (lte !== undefined) parts.push(sql`case when jsonb_typeof(${value}) = 'number' then ${value}::numeric <= ${String(lte)}::numeric else false end`);
    return parts;
  });
}
