import type { Matrix } from '../src/ml/head/matrix.js';
import { seededRandom } from '../src/util/seeded-random.js';

export interface ClusterTask {
  /** Samples per class (they may differ: unbalanced classes). */
  sample(perClass: readonly number[], seed: number): { x: Matrix; labels: Int32Array };
}

/**
 * A synthetic stand-in for ResNet50 features: one Gaussian cluster per class
 * in `dimensions`-d with unit noise. Centres drawn with standard deviation
 * `spread / sqrt(dimensions)` lie about spread * sqrt(2) apart, so with
 * spread ~2-4 the classes overlap a little, and the direction that separates
 * them must be learned from far fewer samples than dimensions.
 */
export function gaussianClusters(classes: number, dimensions: number, spread: number, seed: number): ClusterTask {
  const normal = normalSource(seed);
  const centres = Array.from({ length: classes }, () =>
    Float32Array.from({ length: dimensions }, () => (normal() * spread) / Math.sqrt(dimensions)),
  );
  return {
    sample(perClass, sampleSeed) {
      const noise = normalSource(sampleSeed);
      const random = seededRandom(sampleSeed + 1);
      const labels = Int32Array.from(perClass.flatMap((count, label) => Array<number>(count).fill(label)));
      // Interleave the classes, as a real catalog would not be sorted by label.
      for (let i = labels.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [labels[i], labels[j]] = [labels[j]!, labels[i]!];
      }
      const data = new Float32Array(labels.length * dimensions);
      labels.forEach((label, i) => {
        const centre = centres[label]!;
        for (let j = 0; j < dimensions; j++) data[i * dimensions + j] = centre[j]! + noise();
      });
      return { x: { rows: labels.length, cols: dimensions, data }, labels };
    },
  };
}

/** Standard normal numbers by Box-Muller over a seeded uniform source. */
function normalSource(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
