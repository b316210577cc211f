import type { ServiceInfoResolvers } from '../generated/resolvers-types.js';

export const ServiceInfo: ServiceInfoResolvers = {
  catalogSize: (_runtime, _args, { catalog }) => catalog.countProducts(),
  modelVersion: async (_runtime, _args, { similarity }) => {
    const { modelVersionId } = await similarity.activeSpace();
    return modelVersionId === null ? null : String(modelVersionId);
  },
  embeddingSpace: async (_runtime, _args, { similarity }) => (await similarity.activeSpace()).space,
};
