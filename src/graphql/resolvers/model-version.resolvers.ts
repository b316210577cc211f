import type { ModelVersionResolvers } from '../generated/resolvers-types.js';

export const ModelVersion: ModelVersionResolvers = {
  id: (version) => String(version.id),
  createdAt: (version) => version.createdAt.toISOString(),
  activatedAt: (version) => version.activatedAt?.toISOString() ?? null,
  // A kept version's run succeeded, so it has its metrics.
  trainingRun: async (version, _args, { training }) => (await training.getRun(version.trainingRunId))!,
  metrics: async (version, _args, { training }) => (await training.getRun(version.trainingRunId))!.metrics!,
};
