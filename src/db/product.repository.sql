-- Compiled by scripts/repository-sql.ts (npm run sql:snapshots); do not edit.

-- nearestByFeatures(query, k = 6, excludeId = 3)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
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

-- nearestByFeatures(query, k = 6, excludeId = 3, filter)
select
  "products"."id",
  "products"."sku",
  "products"."name",
  "products"."category",
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
  and products.features <-> $6 <= $7::float8
  and "products"."id" <> $8
order by
  "distance",
  "products"."id"
limit
  $9;
