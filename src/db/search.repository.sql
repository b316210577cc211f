-- Compiled by scripts/repository-sql.ts (npm run sql:snapshots); do not edit.

-- nearest(raw features, query, k = 6, no filter, excludeProductId = 3)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  products.features <-> $1 as "distance"
from
  "products"
  left join "embeddings" on "embeddings"."product_id" = "products"."id"
  and "embeddings"."model_version_id" = (
    select
      "model_versions"."id"
    from
      "model_versions"
    where
      "model_versions"."active" = $2
  )
where
  "products"."id" <> $3
order by
  "distance",
  "products"."id"
limit
  $4;

-- nearest(raw features, query, k = 6, filter, excludeProductId = 3)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  products.features <-> $1 as "distance"
from
  "products"
  left join "embeddings" on "embeddings"."product_id" = "products"."id"
  and "embeddings"."model_version_id" = (
    select
      "model_versions"."id"
    from
      "model_versions"
    where
      "model_versions"."active" = $2
  )
where
  true
  and products.category_key = any ($3::text[])
  and (
    products.category_key is null
    or products.category_key <> all ($4::text[])
  )
  and products.id <> all ($5::integer[])
  and coalesce(
    (products.attributes -> $6::text) @> $7::jsonb,
    false
  )
  and coalesce(
    (products.attributes -> $8::text) @> any ($9::jsonb[]),
    false
  )
  and case
    when jsonb_typeof((products.attributes -> $10::text)) = 'number' then (products.attributes -> $11::text)::numeric >= $12::numeric
    else false
  end
  and case
    when jsonb_typeof((products.attributes -> $13::text)) = 'number' then (products.attributes -> $14::text)::numeric <= $15::numeric
    else false
  end
  and not jsonb_exists (products.attributes, $16::text)
  and products.features <-> $17 <= $18::float8
  and "products"."id" <> $19
order by
  "distance",
  "products"."id"
limit
  $20;

-- nearest(model version 2, query, k = 6, no filter, excludeProductId = 3)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  embeddings.embedding <-> $1 as "distance"
from
  "embeddings"
  inner join "products" on "products"."id" = "embeddings"."product_id"
where
  "embeddings"."model_version_id" = $2
  and "products"."id" <> $3
order by
  "distance",
  "products"."id"
limit
  $4;

-- nearest(model version 2, query, k = 6, filter, excludeProductId = 3)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  embeddings.embedding <-> $1 as "distance"
from
  "embeddings"
  inner join "products" on "products"."id" = "embeddings"."product_id"
where
  "embeddings"."model_version_id" = $2
  and true
  and products.category_key = any ($3::text[])
  and (
    products.category_key is null
    or products.category_key <> all ($4::text[])
  )
  and products.id <> all ($5::integer[])
  and coalesce(
    (products.attributes -> $6::text) @> $7::jsonb,
    false
  )
  and coalesce(
    (products.attributes -> $8::text) @> any ($9::jsonb[]),
    false
  )
  and case
    when jsonb_typeof((products.attributes -> $10::text)) = 'number' then (products.attributes -> $11::text)::numeric >= $12::numeric
    else false
  end
  and case
    when jsonb_typeof((products.attributes -> $13::text)) = 'number' then (products.attributes -> $14::text)::numeric <= $15::numeric
    else false
  end
  and not jsonb_exists (products.attributes, $16::text)
  and embeddings.embedding <-> $17 <= $18::float8
  and "products"."id" <> $19
order by
  "distance",
  "products"."id"
limit
  $20;

-- vectorOf(raw features, product 3)
select
  "products"."features" as "vector"
from
  "products"
where
  "products"."id" = $1;

-- vectorOf(model version 2, product 3)
select
  "embeddings"."embedding" as "vector"
from
  "embeddings"
where
  "embeddings"."model_version_id" = $1
  and "embeddings"."product_id" = $2;

-- state()
select
  (
    select
      generation
    from
      search_generation
  ) as "generation",
  (
    select
      id
    from
      model_versions
    where
      active
  ) as "active_space"
from
  "search_generation";

-- changedSince(generation = 41)
select
  "g"."generation",
  "c"."product_id",
  c.vectors_generation > $1 as "vectors"
from
  "search_generation" as "g"
  left join "search_changes" as "c" on "c"."generation" > $2;

-- vectorsAfter(raw features, afterId = 0, limit = 2000)
copy (
  (
    select
      "products"."id",
      "products"."features",
      "products"."category_key"
    from
      "products"
    where
      "products"."id" > 0
    order by
      "products"."id"
    limit
      2000
  )
) to stdout (format binary);

-- vectorsAfter(model version 2, afterId = 0, limit = 2000)
copy (
  (
    select
      "embeddings"."product_id",
      "embeddings"."embedding",
      (
        select
          "products"."category_key"
        from
          "products"
        where
          "products"."id" = "embeddings"."product_id"
      ) as "category_key"
    from
      "embeddings"
    where
      "embeddings"."model_version_id" = 2
      and "embeddings"."product_id" > 0
    order by
      "embeddings"."product_id"
    limit
      2000
  )
) to stdout (format binary);

-- vectorsOf(raw features, [3, 4])
copy (
  (
    select
      "products"."id",
      "products"."features",
      "products"."category_key"
    from
      "products"
    where
      "products"."id" = any ('{3,4}'::integer[])
    order by
      "products"."id"
  )
) to stdout (format binary);

-- vectorsOf(model version 2, [3, 4])
copy (
  (
    select
      "embeddings"."product_id",
      "embeddings"."embedding",
      (
        select
          "products"."category_key"
        from
          "products"
        where
          "products"."id" = "embeddings"."product_id"
      ) as "category_key"
    from
      "embeddings"
    where
      "embeddings"."model_version_id" = 2
      and "embeddings"."product_id" = any ('{3,4}'::integer[])
    order by
      "embeddings"."product_id"
  )
) to stdout (format binary);

-- nearestAmong(raw features, query, k = 6, candidates)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  products.features <-> $1 as "distance",
  (
    select
      generation
    from
      search_generation
  ) as "generation",
  (
    select
      id
    from
      model_versions
    where
      active
  ) as "active_space",
  false as "query_changed"
from
  "products"
  left join "embeddings" on "embeddings"."product_id" = "products"."id"
  and "embeddings"."model_version_id" = (
    select
      "model_versions"."id"
    from
      "model_versions"
    where
      "model_versions"."active" = $2
  )
where
  "products"."id" = any ($3::integer[])
order by
  "distance",
  "products"."id"
limit
  $4;

-- nearestAmong(raw features, product 3, k = 6, candidates, filter)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  products.features <-> (
    select
      features
    from
      products
    where
      id = $1
  ) as "distance",
  (
    select
      generation
    from
      search_generation
  ) as "generation",
  (
    select
      id
    from
      model_versions
    where
      active
  ) as "active_space",
  false as "query_changed"
from
  "products"
  left join "embeddings" on "embeddings"."product_id" = "products"."id"
  and "embeddings"."model_version_id" = (
    select
      "model_versions"."id"
    from
      "model_versions"
    where
      "model_versions"."active" = $2
  )
where
  true
  and products.category_key = any ($3::text[])
  and (
    products.category_key is null
    or products.category_key <> all ($4::text[])
  )
  and products.id <> all ($5::integer[])
  and coalesce(
    (products.attributes -> $6::text) @> $7::jsonb,
    false
  )
  and coalesce(
    (products.attributes -> $8::text) @> any ($9::jsonb[]),
    false
  )
  and case
    when jsonb_typeof((products.attributes -> $10::text)) = 'number' then (products.attributes -> $11::text)::numeric >= $12::numeric
    else false
  end
  and case
    when jsonb_typeof((products.attributes -> $13::text)) = 'number' then (products.attributes -> $14::text)::numeric <= $15::numeric
    else false
  end
  and not jsonb_exists (products.attributes, $16::text)
  and products.features <-> (
    select
      features
    from
      products
    where
      id = $17
  ) <= $18::float8
  and (
    "products"."id" = any ($19::integer[])
    and "products"."id" <> $20
  )
order by
  "distance",
  "products"."id"
limit
  $21;

-- nearestAmong(model version 2, query, k = 6, candidates)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  embeddings.embedding <-> $1 as "distance",
  (
    select
      generation
    from
      search_generation
  ) as "generation",
  (
    select
      id
    from
      model_versions
    where
      active
  ) as "active_space",
  false as "query_changed"
from
  "embeddings"
  inner join "products" on "products"."id" = "embeddings"."product_id"
where
  "embeddings"."model_version_id" = $2
  and "products"."id" = any ($3::integer[])
order by
  "distance",
  "products"."id"
limit
  $4;

-- nearestAmong(model version 2, product 3, k = 6, candidates, filter)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
  "products"."attributes",
  "products"."image_width",
  "products"."image_height",
  "products"."created_at",
  "embeddings"."predicted_category",
  embeddings.embedding <-> (
    select
      embedding
    from
      embeddings
    where
      model_version_id = $1
      and product_id = $2
  ) as "distance",
  (
    select
      generation
    from
      search_generation
  ) as "generation",
  (
    select
      id
    from
      model_versions
    where
      active
  ) as "active_space",
  false as "query_changed"
from
  "embeddings"
  inner join "products" on "products"."id" = "embeddings"."product_id"
where
  "embeddings"."model_version_id" = $3
  and true
  and products.category_key = any ($4::text[])
  and (
    products.category_key is null
    or products.category_key <> all ($5::text[])
  )
  and products.id <> all ($6::integer[])
  and coalesce(
    (products.attributes -> $7::text) @> $8::jsonb,
    false
  )
  and coalesce(
    (products.attributes -> $9::text) @> any ($10::jsonb[]),
    false
  )
  and case
    when jsonb_typeof((products.attributes -> $11::text)) = 'number' then (products.attributes -> $12::text)::numeric >= $13::numeric
    else false
  end
  and case
    when jsonb_typeof((products.attributes -> $14::text)) = 'number' then (products.attributes -> $15::text)::numeric <= $16::numeric
    else false
  end
  and not jsonb_exists (products.attributes, $17::text)
  and embeddings.embedding <-> (
    select
      embedding
    from
      embeddings
    where
      model_version_id = $18
      and product_id = $19
  ) <= $20::float8
  and (
    "products"."id" = any ($21::integer[])
    and "products"."id" <> $22
  )
order by
  "distance",
  "products"."id"
limit
  $23;
