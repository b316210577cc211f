-- Training runs of the categorical head, the model versions they produce, and
-- each version's 512-d embeddings of the catalog.

create table training_runs (
  id integer generated always as identity primary key,
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  hyperparameters jsonb not null,
  classes text[],
  training_samples integer,
  validation_samples integer,
  epochs jsonb not null default '[]',
  metrics jsonb,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);

-- One run at a time, whichever process asks: a second insert fails.
create unique index training_runs_one_unfinished on training_runs ((true)) where status in ('queued', 'running');

create table model_versions (
  id integer generated always as identity primary key,
  training_run_id integer not null unique references training_runs (id),
  classes text[] not null,
  head_weights bytea not null,
  head_layout jsonb not null,
  feature_mean real[] not null,
  feature_scale real[] not null,
  embedding_mean real[] not null,
  embedding_scale real[] not null,
  active boolean not null default false,
  created_at timestamptz not null default now(),
  activated_at timestamptz
);

-- Float weights do not compress: skipping pglz saves most of the write time.
alter table model_versions alter column head_weights set storage external;

create unique index model_versions_one_active on model_versions ((true)) where active;

create table embeddings (
  model_version_id integer not null references model_versions (id) on delete cascade,
  product_id integer not null references products (id) on delete cascade,
  embedding vector(512) not null,
  predicted_category text not null,
  primary key (model_version_id, product_id)
);

create index embeddings_product_id_idx on embeddings (product_id);
