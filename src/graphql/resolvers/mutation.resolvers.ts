import type { MutationResolvers } from '../generated/resolvers-types.js';
import { productId } from '../ids.js';

export const Mutation: MutationResolvers = {
  addProduct: async (_parent, { input }, { catalog }) => {
    const [product] = await catalog.addProducts([input]);
    return { product: product! };
  },
  addProducts: async (_parent, { inputs, onExisting }, { catalog }) => ({ products: await catalog.addProducts(inputs, onExisting) }),
  updateProduct: async (_parent, { id, input }, { catalog }) => ({ product: await catalog.updateProduct(productId(id), input) }),
  trainModel: async (_parent, { input }, { training }) => ({ trainingRun: await training.startTraining(input ?? {}) }),
  deleteProduct: async (_parent, { id }, { catalog }) => {
    await catalog.deleteProduct(productId(id));
    return { id };
  },
};
