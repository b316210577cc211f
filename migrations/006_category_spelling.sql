-- Categories are labels a head learns: "Shoes", "shoes", " SHOES" and "shoes"
-- followed by a zero-width space are one category. The service normalizes a
-- category once, when a product is written (src/catalog/category.ts): zero-width
-- characters removed, Unicode NFC, every run of whitespace one space, trimmed.
-- It then matches it against the catalog ignoring case, and stores the
-- spelling the catalog has already. This migration does the same to the rows
-- written before it, with the same characters; the lowest id's spelling wins.
--
-- Case is compared by lower() under the builtin "pg_c_utf8" collation (simple
-- Unicode case mapping, the same on every server whatever its locale); every
-- query that matches categories uses exactly this expression, so the index
-- below serves them.

-- Only rows that change are written: an update logs its products for the
-- search indexes (migrations/003), which would otherwise reload them all.
with normalized as (
  select id, nullif(
    btrim(
      regexp_replace(
        normalize(regexp_replace(category, '[\u200b-\u200d\u2060\ufeff]', '', 'g'), NFC),
        '[\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g'
      ),
      ' '
    ),
    ''
  ) as category
  from products
  where category is not null
)
update products
set category = normalized.category
from normalized
where products.id = normalized.id and products.category is distinct from normalized.category;

update products
set category = first.category
from (
  select distinct on (lower(category collate "pg_c_utf8")) lower(category collate "pg_c_utf8") as key, category
  from products
  where category is not null
  order by lower(category collate "pg_c_utf8"), id
) as first
where lower(products.category collate "pg_c_utf8") = first.key and products.category <> first.category;

drop index products_category_id_idx;
create index products_category_key_idx on products (lower(category collate "pg_c_utf8"), id);

-- Categories with too few products for a run are left out of it rather than
-- blocking it: [{ "category": ..., "products": n }], known once the run starts.
alter table training_runs add column excluded_categories jsonb;
