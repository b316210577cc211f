import pgvector from 'pgvector';

/** The boundary between Float32Array and pgvector's text form. */
export function toVector(values: Float32Array | readonly number[]): string {
  return pgvector.toSql(Array.from(values));
}

export function fromVector(text: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(text) as number[]);
}
