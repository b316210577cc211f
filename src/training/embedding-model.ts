import type { Head } from './head.js';
import type { ModelVersion, Scaler } from './model-version.js';
import { standardize } from './scaler.js';

export interface CatalogEmbedding {
  /** Standardized 512-d mid layer: what similarity is measured on. */
  embedding: Float32Array;
  predictedCategory: string;
}

/** A model version at work: feature scaler -> head -> embedding scaler. */
export class EmbeddingModel {
  constructor(
    readonly version: Pick<ModelVersion, 'id' | 'classes' | 'featureScaler' | 'embeddingScaler'>,
    private readonly head: Head,
  ) {}

  async embed(features: readonly Float32Array[]): Promise<CatalogEmbedding[]> {
    const { embeddings, predicted } = await this.head.embed(standardizeAll(features, this.version.featureScaler));
    return embeddings.map((embedding, i) => ({
      embedding: standardize(embedding, this.version.embeddingScaler),
      predictedCategory: this.version.classes[predicted[i]!]!,
    }));
  }

  dispose(): void {
    this.head.dispose();
  }
}

function standardizeAll(rows: readonly Float32Array[], scaler: Scaler): Float32Array[] {
  return rows.map((row) => standardize(row, scaler));
}
