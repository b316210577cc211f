import type { SimilarityResolvers } from '../generated/resolvers-types.js';

export const Similarity: SimilarityResolvers = {
  modelVersion: (similarity) => (similarity.modelVersionId === null ? null : String(similarity.modelVersionId)),
  metric: () => 'L2',
  neighbours: (similarity) => similarity.neighbours.map((neighbour, index) => ({ ...neighbour, rank: index + 1 })),
};
