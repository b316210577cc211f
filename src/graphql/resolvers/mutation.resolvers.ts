import type { MutationResolvers } from '../generated/resolvers-types.js';
import { modelVersionId, productId } from '../ids.js';

export const Mutation: MutationResolvers = {
  addProduct: async (_parent, { input }, { catalog, signal }) => {
    const [product] = await catalog.addProducts([input], 'FAIL', signal);
    return { product: product! };
  },
  addProducts: async (_parent, { inputs, onExisting }, { catalog, signal }) => ({ products: await catalog.addProducts(inputs, onExisting, signal) }),
  updateProduct: async (_parent, { id, input }, { catalog, signal }) => ({ product: await catalog.updateProduct(productId(id), input, signal) }),
  trainModel: async (_parent, { input }, { training }) => ({ trainingRun: await training.startTraining(input ?? {}) }),
  activateModelVersion: async (_parent, { id }, { training }) => ({ modelVersion: await training.activateModelVersion(modelVersionId(id)) }),
  deleteProduct: async (_parent, { id }, { catalog }) => {
    await catalog.deleteProduct(productId(id));
    return { id };
  },
};
