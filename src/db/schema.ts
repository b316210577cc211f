import type { ColumnType, Generated } from 'kysely';

/** Vectors travel as pgvector's text form ('[1,2,3]'); repositories convert at the boundary. */
type VectorColumn = ColumnType<string, string, string>;

export interface ProductTable {
  id: Generated<number>;
  sku: string;
  name: string;
  category: string | null;
  thumbnail: Uint8Array;
  image_width: number;
  image_height: number;
  features: VectorColumn;
  created_at: ColumnType<Date, never, never>;
}

export interface SchemaMigrationTable {
  version: string;
  applied_at: ColumnType<Date, never, never>;
}

export interface DB {
  products: ProductTable;
  schema_migrations: SchemaMigrationTable;
}
