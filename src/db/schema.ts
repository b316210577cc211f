import type { ColumnType, Generated } from 'kysely';
import type { Attributes } from '../domain/attributes.js';
import type { TrainingStatus } from '../domain/training-run.js';
import type { EmbeddingNormalization } from '../domain/embedding-normalizer.js';

/** Vectors travel as pgvector's text form ('[1,2,3]'); repositories convert at the boundary. */
type VectorColumn = ColumnType<string, string, string>;

export interface ProductTable {
  id: Generated<number>;
  sku: string;
  name: string;
  category: string | null;
  /** categoryKey(category): written with it, never by SQL. */
  category_key: string | null;
  thumbnail: Uint8Array;
  image_width: number;
  image_height: number;
  features: VectorColumn;
  /** Hex SHA-256 of the image file analysed; null for products stored before migration 010. */
  image_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  /** The link the image was fetched from; null when its file was sent. */
  image_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** The store's own fields (domain/attributes.ts); node-pg and PGlite parse jsonb, and take it as JSON text. */
  attributes: ColumnType<Attributes, string | undefined, string>;
  created_at: ColumnType<Date, never, never>;
}

export interface TrainingRunTable {
  id: Generated<number>;
  status: ColumnType<TrainingStatus, TrainingStatus | undefined, TrainingStatus>;
  hyperparameters: ColumnType<unknown, string, string>;
  classes: string[] | null;
  training_samples: number | null;
  validation_samples: number | null;
  epochs: ColumnType<unknown, string | undefined, string>;
  metrics: ColumnType<unknown, string | null | undefined, string | null>;
  error: string | null;
  created_at: ColumnType<Date, never, never>;
  started_at: ColumnType<Date | null, never, Date | null>;
  finished_at: ColumnType<Date | null, never, Date | null>;
  heartbeat_at: ColumnType<Date, never, never>;
  excluded_categories: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface ModelVersionTable {
  id: Generated<number>;
  training_run_id: number;
  classes: string[];
  head_weights: Uint8Array;
  head_layout: ColumnType<unknown, string, string>;
  feature_mean: number[];
  feature_scale: number[];
  embedding_mean: number[];
  embedding_scale: number[];
  embedding_normalization: ColumnType<EmbeddingNormalization, EmbeddingNormalization | undefined, never>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, never, never>;
  activated_at: ColumnType<Date | null, never, Date | null>;
}

export interface EmbeddingTable {
  model_version_id: number;
  product_id: number;
  embedding: VectorColumn;
  predicted_category: string;
}

/** Written by triggers (migrations/003_search_changes.sql); the service only reads them. */
export interface SearchGenerationTable {
  one: ColumnType<boolean, never, never>;
  generation: ColumnType<string | number | bigint, never, never>;
  database_id: ColumnType<string, never, never>;
}

export interface SearchChangeTable {
  product_id: ColumnType<number, never, never>;
  generation: ColumnType<string | number | bigint, never, never>;
  /** When the product's vector or category last changed (migrations/009); `generation` alone moves for its other fields. */
  vectors_generation: ColumnType<string | number | bigint, never, never>;
}

export interface SchemaMigrationTable {
  version: string;
  applied_at: ColumnType<Date, never, never>;
}

export interface DB {
  products: ProductTable;
  training_runs: TrainingRunTable;
  model_versions: ModelVersionTable;
  embeddings: EmbeddingTable;
  search_generation: SearchGenerationTable;
  search_changes: SearchChangeTable;
  schema_migrations: SchemaMigrationTable;
}
