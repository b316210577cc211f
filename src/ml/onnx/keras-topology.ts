import { z } from 'zod';

/** One layer of a Keras functional model, applied once. */
export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose (single) output this layer takes. */
  inputs: string[];
}

export interface KerasTopology {
  /** In the order Keras saved them, which is an order where inputs come first. */
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
}

// An inbound tensor is [layer name, node index, tensor index, kwargs].
const inboundTensor = z.tuple([z.string(), z.number().int(), z.number().int()], z.unknown());
const layerRef = z.tuple([z.string(), z.number().int(), z.number().int()]);
const modelConfig = z.object({
  class_name: z.enum(['Model', 'Functional']),
  config: z.object({
    layers: z.array(
      z.object({
        name: z.string(),
        class_name: z.string(),
        config: z.record(z.string(), z.unknown()),
        inbound_nodes: z.array(z.array(inboundTensor)),
      }),
    ),
    input_layers: z.array(layerRef),
    output_layers: z.array(layerRef),
  }),
});
const modelJsonSchema = z.object({
  modelTopology: z.union([z.object({ model_config: modelConfig }), modelConfig]),
});

/** The layer graph of a TensorFlow.js layers model.json (a Keras functional model). */
export function parseKerasTopology(modelJson: unknown): KerasTopology {
  const parsed = modelJsonSchema.safeParse(modelJson);
  if (!parsed.success) throw new Error(`model.json is not a Keras functional model: ${parsed.error.message}`);
  const topology = parsed.data.modelTopology;
  const { config } = 'model_config' in topology ? topology.model_config : topology;
  const layers = config.layers.map((layer): KerasLayer => {
    // Shared layers (one layer applied at several places) would need one ONNX
    // node per application; the models converted here apply each layer once.
    if (layer.inbound_nodes.length > 1) throw new Error(`layer ${layer.name} is applied more than once`);
    const tensors = layer.inbound_nodes[0] ?? [];
    if (tensors.some(([, node, tensor]) => node !== 0 || tensor !== 0)) {
      throw new Error(`layer ${layer.name} takes an output other than its inputs' first`);
    }
    return { name: layer.name, className: layer.class_name, config: layer.config, inputs: tensors.map(([name]) => name) };
  });
  return {
    layers,
    inputs: config.input_layers.map(([name]) => name),
    outputs: config.output_layers.map(([name]) => name),
  };
}
