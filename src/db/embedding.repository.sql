-- Compiled by scripts/repository-sql.ts (npm run sql:snapshots); do not edit.

-- nearest(modelVersionId = 2, query, k = 6, excludeProductId = 3)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
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
  and embeddings.embedding <-> $6 <= $7::float8
  and "products"."id" <> $8
order by
  "distance",
  "products"."id"
limit
  $9;
