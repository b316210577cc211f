import type { ServiceInfoResolvers } from '../generated/resolvers-types.js';

export const ServiceInfo: ServiceInfoResolvers = {
  featureEngine: (runtime) => (runtime.featureEngine === 'onnx' ? 'ONNX_RUNTIME' : 'TENSORFLOW_JS'),
  backend: (runtime) => (runtime.featureEngine === 'onnx' ? 'onnx' : runtime.tensorflowBackend),
  catalogSize: (_runtime, _args, { catalog }) => catalog.countProducts(),
  modelVersion: async (_runtime, _args, { similarity }) => {
    const { modelVersionId } = await similarity.activeSpace();
    return modelVersionId === null ? null : String(modelVersionId);
  },
  embeddingSpace: async (_runtime, _args, { similarity }) => (await similarity.activeSpace()).space,
};
