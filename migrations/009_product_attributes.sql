-- A store's own fields for each product (price, brand, inStock, sizes, ...):
-- a JSON object of strings, numbers, booleans and lists of strings, checked
-- by the service (src/catalog/attributes.ts) and returned as given.
alter table products add column attributes jsonb not null default '{}';

-- Similarity queries filter by attributes, and a store changes them far
-- more often than images (stock, price). The change log (migrations/003)
-- now says which changes touched a product's vector or category and which
-- only the rest of the row, so the search indexes refresh the others'
-- attributes without reading their vectors again: a reader at generation g
-- reads the vectors of products whose vectors_generation is past g, and
-- only the attributes of products whose generation alone is.
alter table search_changes add column vectors_generation bigint;
update search_changes set vectors_generation = generation;
alter table search_changes alter column vectors_generation set not null;

create or replace function search_log(product_ids integer[]) returns void language sql as $$
  with bumped as (
    update search_generation set generation = generation + 1 returning generation
  )
  insert into search_changes (product_id, generation, vectors_generation)
  select distinct product_id, bumped.generation, bumped.generation from bumped, unnest(product_ids) as product_id
  on conflict (product_id) do update set generation = excluded.generation, vectors_generation = excluded.vectors_generation;
$$;

-- A product first logged here was stored before the change log began, so
-- every reader has its vector: 0 is older than any reader's generation.
create function search_log_attributes(product_ids integer[]) returns void language sql as $$
  with bumped as (
    update search_generation set generation = generation + 1 returning generation
  )
  insert into search_changes (product_id, generation, vectors_generation)
  select distinct product_id, bumped.generation, 0 from bumped, unnest(product_ids) as product_id
  on conflict (product_id) do update set generation = excluded.generation;
$$;

create function search_log_product_updates() returns trigger language plpgsql as $$
declare
  vectors integer[] := array(
    select n.id from changed n join previous p on p.id = n.id
    where n.features is distinct from p.features or n.category_key is distinct from p.category_key
  );
  others integer[] := array(
    select n.id from changed n join previous p on p.id = n.id
    where n.features is not distinct from p.features and n.category_key is not distinct from p.category_key
  );
begin
  if cardinality(vectors) > 0 then
    perform search_log(vectors);
  end if;
  if cardinality(others) > 0 then
    perform search_log_attributes(others);
  end if;
  return null;
end $$;

drop trigger products_search_update on products;
create trigger products_search_update after update on products
  referencing old table as previous new table as changed for each statement execute function search_log_product_updates();
