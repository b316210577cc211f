-- Products of the catalog and their ResNet50 image features (2048-d avg_pool output).
create extension if not exists vector;

create table products (
  id integer generated always as identity primary key,
  sku text not null unique,
  name text not null,
  category text,
  thumbnail bytea not null,
  image_width integer not null,
  image_height integer not null,
  features vector(2048) not null,
  created_at timestamptz not null default now()
);

create index products_category_id_idx on products (category, id);
