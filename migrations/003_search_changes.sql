-- A change log for the in-process similarity indexes (src/search/). Triggers
-- write it in the same transaction as the change itself, so whichever code
-- path or process changes the catalog, every process sharing the database
-- learns of it with one cheap query.

-- Bumped by every statement that changes a vector of the active embedding
-- space, or which space is active. The update holds the row lock until its
-- transaction ends, so generations commit in order: a snapshot that sees
-- generation g sees every change logged at g or before.
create table search_generation (
  one boolean primary key default true check (one),
  generation bigint not null
);
insert into search_generation (generation) values (0);

-- The generation at which each product's vectors last changed. A deleted
-- product keeps its row, so a reader behind it learns to drop it; ids are
-- never reused, so the table grows no faster than the catalog.
create table search_changes (
  product_id integer primary key,
  generation bigint not null
);
create index search_changes_generation_idx on search_changes (generation);

create function search_log(product_ids integer[]) returns void language sql as $$
  with bumped as (
    update search_generation set generation = generation + 1 returning generation
  )
  insert into search_changes (product_id, generation)
  select distinct product_id, bumped.generation from bumped, unnest(product_ids) as product_id
  on conflict (product_id) do update set generation = excluded.generation;
$$;

-- Transition tables allow one event per trigger; each trigger names its
-- table `changed`, so one function serves insert, update and delete.
create function search_log_products() returns trigger language plpgsql as $$
begin
  perform search_log(array(select id from changed));
  return null;
end $$;

-- Only the active version's embeddings are served: a new version fills its
-- embeddings unlogged, then its activation bumps the generation.
create function search_log_embeddings() returns trigger language plpgsql as $$
declare
  product_ids integer[] := array(
    select product_id from changed where model_version_id in (select id from model_versions where active)
  );
begin
  if cardinality(product_ids) > 0 then
    perform search_log(product_ids);
  end if;
  return null;
end $$;

create function search_log_activation() returns trigger language plpgsql as $$
begin
  perform search_log('{}');
  return null;
end $$;

create trigger products_search_insert after insert on products
  referencing new table as changed for each statement execute function search_log_products();
create trigger products_search_update after update on products
  referencing new table as changed for each statement execute function search_log_products();
create trigger products_search_delete after delete on products
  referencing old table as changed for each statement execute function search_log_products();

create trigger embeddings_search_insert after insert on embeddings
  referencing new table as changed for each statement execute function search_log_embeddings();
create trigger embeddings_search_update after update on embeddings
  referencing new table as changed for each statement execute function search_log_embeddings();
create trigger embeddings_search_delete after delete on embeddings
  referencing old table as changed for each statement execute function search_log_embeddings();

create trigger model_versions_search_activation after update of active on model_versions
  for each statement execute function search_log_activation();
