-- Compiled by scripts/repository-sql.ts (npm run sql:snapshots); do not edit.

-- nearestByFeatures(query, k = 6, excludeId = 3)
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

-- nearestByFeatures(query, k = 6, excludeId = 3, filter)
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
