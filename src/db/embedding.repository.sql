-- Compiled by scripts/repository-sql.ts (npm run sql:snapshots); do not edit.

-- nearest(modelVersionId = 2, query, k = 6, excludeProductId = 3)
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

-- nearest(modelVersionId = 2, query, k = 6, excludeProductId = 3, filter)
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
