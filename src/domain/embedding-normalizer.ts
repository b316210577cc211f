import { StandardScaler, type ScalerParameters } from '../ml/head/standard-scaler.js';

/**
 * How a model version turns the head's 512-d mid-layer outputs into the
 * embeddings it stores and searches. STANDARDIZE is the method's: a
 * StandardScaler fitted over the catalog's outputs. UNIT_LENGTH divides each
 * output by its Euclidean length, so that the L2 distance pgvector's `<->`
 * measures ranks neighbours by cosine similarity. On the method's own
 * experiment the unit-length space ranks better (docs/evaluation/unit-length/).
 */
export type EmbeddingNormalization = 'STANDARDIZE' | 'UNIT_LENGTH';

export const EMBEDDING_NORMALIZATIONS = ['STANDARDIZE', 'UNIT_LENGTH'] as const satisfies readonly EmbeddingNormalization[];

/** The stored form: a unit-length space keeps an identity scaler, so a version always has one. */
export interface EmbeddingNormalizerParameters {
  normalization: EmbeddingNormalization;
  scaler: ScalerParameters;
}

export class EmbeddingNormalizer implements EmbeddingNormalizerParameters {
  private constructor(
    readonly normalization: EmbeddingNormalization,
    readonly scaler: StandardScaler,
  ) {}

  /** From the catalog's raw mid-layer outputs; only STANDARDIZE learns anything from them. */
  static fit(normalization: EmbeddingNormalization, outputs: readonly Float32Array[]): EmbeddingNormalizer {
    if (normalization === 'STANDARDIZE') return new EmbeddingNormalizer(normalization, StandardScaler.fit(outputs));
    const width = outputs[0]?.length;
    if (width === undefined) throw new RangeError('cannot fit an embedding normalizer on no rows');
    return new EmbeddingNormalizer(normalization, StandardScaler.from({ mean: new Float32Array(width), scale: new Float32Array(width).fill(1) }));
  }

  static from(parameters: EmbeddingNormalizerParameters): EmbeddingNormalizer {
    return new EmbeddingNormalizer(parameters.normalization, StandardScaler.from(parameters.scaler));
  }

  /** One embedding per mid-layer output, in new buffers. */
  transformRows(outputs: readonly Float32Array[]): Float32Array[] {
    const rows = this.scaler.transformRows(outputs);
    if (this.normalization === 'UNIT_LENGTH') rows.forEach(toUnitLength);
    return rows;
  }
}

/** In place; a row of zeros (no unit fired) stays zeros, with no direction to keep. */
function toUnitLength(row: Float32Array): void {
  let squares = 0;
  for (const value of row) squares += value * value;
  if (squares === 0) return;
  const length = Math.sqrt(squares);
  for (let j = 0; j < row.length; j++) row[j] = row[j]! / length;
}
