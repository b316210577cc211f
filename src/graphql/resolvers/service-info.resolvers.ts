import type { ServiceInfoResolvers } from '../generated/resolvers-types.js';

export const ServiceInfo: ServiceInfoResolvers = {
  catalogSize: (_runtime, _args, { catalog }) => catalog.countProducts(),
  modelVersion: () => null,
  embeddingSpace: () => 'RESNET50_FEATURES',
};
