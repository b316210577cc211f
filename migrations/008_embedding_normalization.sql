-- How a version turns the head's mid-layer outputs into its embeddings (see
-- src/training/embedding-space.ts). Versions stored before the choice existed
-- standardized them, as the method does.
alter table model_versions
  add column embedding_normalization text not null default 'STANDARDIZE'
  check (embedding_normalization in ('STANDARDIZE', 'UNIT_LENGTH'));
