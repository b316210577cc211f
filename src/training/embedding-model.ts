import { StandardScaler } from '../ml/head/standard-scaler.js';
import type { Head } from './head-engine.js';
import type { ModelVersion } from './model-version.js';

export interface CatalogEmbedding {
  /** Standardized 512-d mid layer: what similarity is measured on. */
  embedding: Float32Array;
  predictedCategory: string;
}

/** A model version at work: feature scaler -> head -> embedding scaler. */
export class EmbeddingModel {
  readonly #featureScaler: StandardScaler;
  readonly #embeddingScaler: StandardScaler;

  constructor(
    readonly version: Pick<ModelVersion, 'id' | 'classes' | 'featureScaler' | 'embeddingScaler'>,
    private readonly head: Head,
  ) {
    this.#featureScaler = StandardScaler.from(version.featureScaler);
    this.#embeddingScaler = StandardScaler.from(version.embeddingScaler);
  }

  async embed(features: readonly Float32Array[]): Promise<CatalogEmbedding[]> {
    if (features.length === 0) return [];
    const { embeddings, predicted } = await this.head.embed(this.#featureScaler.transformRows(features));
    return this.#embeddingScaler.transformRows(embeddings).map((embedding, i) => ({
      embedding,
      predictedCategory: this.version.classes[predicted[i]!]!,
    }));
  }

  dispose(): void {
    this.head.dispose();
  }
}
