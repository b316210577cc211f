import { EMBEDDING_DIMENSIONS } from '../../domain/hyperparameters.js';
import type { TrainingRunResolvers } from '../generated/resolvers-types.js';

export const TrainingRun: TrainingRunResolvers = {
  id: (run) => String(run.id),
  status: (run) => run.status.toUpperCase() as Uppercase<typeof run.status>,
  progress: (run) => (run.status === 'succeeded' ? 1 : run.epochs.length / run.hyperparameters.epochs),
  hyperparameters: (run) => ({ ...run.hyperparameters, midUnits: EMBEDDING_DIMENSIONS }),
  modelVersion: (run) => (run.modelVersionId === null ? null : String(run.modelVersionId)),
  createdAt: (run) => run.createdAt.toISOString(),
  startedAt: (run) => run.startedAt?.toISOString() ?? null,
  finishedAt: (run) => run.finishedAt?.toISOString() ?? null,
};
