import type { EmbeddingSpace } from '../domain/embedding-space.js';
import type { EmbeddingSpace as SpaceKind } from './generated/resolvers-types.js';

/** How the schema names a space: its kind, and the model version behind it. */
export function spaceKind(space: EmbeddingSpace): SpaceKind {
  return space === null ? 'RESNET50_FEATURES' : 'TRAINED_HEAD';
}

export function spaceModelVersion(space: EmbeddingSpace): string | null {
  return space === null ? null : String(space);
}
