import type { AddProductInput, MutationResolvers, UpdateProductInput } from '../generated/resolvers-types.js';
import { modelVersionId, productId } from '../ids.js';
import { imageArgument, requiredImageArgument } from '../image-argument.js';

export const Mutation: MutationResolvers = {
  addProduct: async (_parent, { input }, { catalog, signal }) => {
    const [product] = await catalog.addProducts([productInput(input)], 'FAIL', signal);
    return { product: product! };
  },
  addProducts: async (_parent, { inputs, onExisting }, { catalog, signal }) => ({ products: await catalog.addProducts(inputs.map(productInput), onExisting, signal) }),
  updateProduct: async (_parent, { id, input }, { catalog, signal }) => ({ product: await catalog.updateProduct(productId(id), productUpdate(input), signal) }),
  trainModel: async (_parent, { input }, { training }) => ({ trainingRun: await training.startTraining(input ?? {}) }),
  activateModelVersion: async (_parent, { id }, { training }) => ({ modelVersion: await training.activateModelVersion(modelVersionId(id)) }),
  deleteProduct: async (_parent, { id }, { catalog }) => {
    await catalog.deleteProduct(productId(id));
    return { id };
  },
};

const productInput = ({ image, imageFile, imageUrl, ...fields }: AddProductInput) => ({ ...fields, image: requiredImageArgument({ image, imageFile, imageUrl }) });
const productUpdate = ({ image, imageFile, imageUrl, ...fields }: UpdateProductInput) => ({ ...fields, image: imageArgument({ image, imageFile, imageUrl }) });
