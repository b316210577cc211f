import { spaceKind, spaceModelVersion } from '../embedding-space.js';
import type { ServiceInfoResolvers } from '../generated/resolvers-types.js';

export const ServiceInfo: ServiceInfoResolvers = {
  featureEngine: (runtime) => (runtime.featureEngine === 'onnx' ? 'ONNX_RUNTIME' : 'TENSORFLOW_JS'),
  backend: (runtime) => (runtime.featureEngine === 'onnx' ? 'onnx' : runtime.tensorflowBackend),
  catalogSize: (_runtime, _args, { catalog }) => catalog.countProducts(),
  modelVersion: async (_runtime, _args, { similarity }) => spaceModelVersion(await similarity.activeSpace()),
  embeddingSpace: async (_runtime, _args, { similarity }) => spaceKind(await similarity.activeSpace()),
  writesNeedToken: (_runtime, _args, { writesNeedToken }) => writesNeedToken,
  tokenAccepted: (_runtime, _args, { mayWrite }) => mayWrite,
};
