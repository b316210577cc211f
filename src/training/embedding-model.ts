import { StandardScaler } from '../ml/head/standard-scaler.js';
import { EmbeddingNormalizer } from '../domain/embedding-normalizer.js';
import type { Head } from './head-engine.js';
import type { ModelVersion } from '../domain/model-version.js';

export interface CatalogEmbedding {
  /** The 512-d mid layer in the version's embedding space: what similarity is measured on. */
  embedding: Float32Array;
  predictedCategory: string;
}

/** A model version at work: feature scaler -> head -> embedding normalizer. */
export class EmbeddingModel {
  readonly #featureScaler: StandardScaler;
  readonly #normalizer: EmbeddingNormalizer;

  constructor(
    readonly version: Pick<ModelVersion, 'id' | 'classes' | 'featureScaler' | 'embeddingScaler' | 'embeddingNormalization'>,
    private readonly head: Head,
  ) {
    this.#featureScaler = StandardScaler.from(version.featureScaler);
    this.#normalizer = EmbeddingNormalizer.from({ normalization: version.embeddingNormalization, scaler: version.embeddingScaler });
  }

  async embed(features: readonly Float32Array[]): Promise<CatalogEmbedding[]> {
    if (features.length === 0) return [];
    const { embeddings, predicted } = await this.head.embed(this.#featureScaler.transformRows(features));
    return this.#normalizer.transformRows(embeddings).map((embedding, i) => ({
      embedding,
      predictedCategory: this.version.classes[predicted[i]!]!,
    }));
  }

  dispose(): void {
    this.head.dispose();
  }
}
