-- Categories are labels a head learns: "Shoes", "shoes", " SHOES" and "shoes"
-- followed by a zero-width space are one category. The service normalizes a
-- category once, when a product is written (src/catalog/category.ts): zero-width
-- characters removed, Unicode NFC, every run of whitespace one space, trimmed.
-- It then matches it against the catalog ignoring case, and stores the
-- spelling the catalog has already. This migration does the same to the rows
-- written before it, with the same characters; the lowest id's spelling wins.
--
-- Case is compared by category_key, which the service computes in JavaScript
-- (categoryKey: upper then lower case, full Unicode mappings, no locale) and
-- writes with the category; no query computes it, so no server's collation can
-- disagree with it, and every Postgres from 15 up runs the same statements.
-- Only the rows already stored get their key from SQL, once, below.

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

alter table products add column category_key text;

-- The same key in SQL, for the rows already stored: lower(upper()) under a
-- collation with full Unicode case mappings and no locale, as JavaScript's:
-- the builtin pg_unicode_fast (Postgres 18 and up) or ICU's root locale
-- (servers built with ICU, as Debian's and PGlite are). On a server with
-- neither, the database's default collation is the one approximation left:
-- where it maps a letter differently (ß to ß rather than SS, say), an old
-- row's key differs from the service's, and filters and new products miss
-- that row's category; rows written later carry the service's own key.
-- A key is no part of what the search indexes serve: its writes are not logged.
alter table products disable trigger products_search_update;
do $$
declare
  mapping text := coalesce(
    (select collname from pg_collation where collname = 'pg_unicode_fast' and collencoding in (-1, pg_char_to_encoding(getdatabaseencoding()))),
    (select collname from pg_collation where collname = 'und-x-icu' and collencoding in (-1, pg_char_to_encoding(getdatabaseencoding()))),
    'default'
  );
begin
  execute format('update products set category_key = lower(upper(category collate pg_catalog.%I)) where category is not null', mapping);
end $$;
alter table products enable trigger products_search_update;
alter table products add constraint products_category_key_check check ((category is null) = (category_key is null));

update products
set category = first.category
from (
  select distinct on (category_key) category_key, category
  from products
  where category_key is not null
  order by category_key, id
) as first
where products.category_key = first.category_key and products.category <> first.category;

drop index products_category_id_idx;
create index products_category_key_idx on products (category_key, id);

-- Categories with too few products for a run are left out of it rather than
-- blocking it: [{ "category": ..., "products": n }], known once the run starts.
alter table training_runs add column excluded_categories jsonb;
