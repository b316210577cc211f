import { spaceKind, spaceModelVersion } from '../embedding-space.js';
import type { SimilarityResolvers } from '../generated/resolvers-types.js';

export const Similarity: SimilarityResolvers = {
  space: (similarity) => spaceKind(similarity.space),
  modelVersion: (similarity) => spaceModelVersion(similarity.space),
  metric: () => 'L2',
  neighbours: (similarity) => similarity.neighbours.map((neighbour, index) => ({ ...neighbour, rank: index + 1 })),
};
