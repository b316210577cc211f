import { z } from 'zod';
import { CAFFE_MEANS_BGR } from '../preprocess.js';
import { parseKerasTopology, type KerasLayer } from './keras-topology.js';
import type { LayersModelFiles, Weight } from './layers-model-files.js';
import { ELEMENT_TYPES, OnnxGraph } from './onnx-graph.js';

/**
 * The converted model's input: 8-bit RGB pixels, NHWC, as prepareImage makes
 * them. Bytes rather than floats: the caller passes the pixels as they come,
 * a quarter of the size, and the cast happens in the graph.
 */
export const ONNX_INPUT = 'pixels';
/** The converted model's output: one pooled feature vector per image. */
export const ONNX_OUTPUT = 'features';

export interface KerasToOnnxOptions {
  /** The layer whose output the ONNX model ends with; it must be a pooled (2-D) output. */
  outputLayer: string;
  metadata: Record<string, string>;
}

/** A value of the ONNX graph: NCHW feature maps, or one vector per image once pooled. */
interface Value {
  name: string;
  channels: number;
  pooled: boolean;
}

const pair = z.tuple([z.number().int().positive(), z.number().int().positive()]);
const padding = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);
const configs = {
  InputLayer: z.object({ batch_input_shape: z.tuple([z.null(), z.number().int().positive(), z.number().int().positive(), z.literal(3)]) }),
  ZeroPadding2D: z.object({ padding: z.tuple([padding, padding]), data_format: z.literal('channels_last') }),
  Conv2D: z.object({
    filters: z.number().int().positive(),
    kernel_size: pair,
    strides: pair,
    padding: z.enum(['valid', 'same']),
    data_format: z.literal('channels_last'),
    dilation_rate: pair,
    activation: z.literal('linear'),
    use_bias: z.boolean(),
    groups: z.literal(1).optional(),
  }),
  BatchNormalization: z.object({
    axis: z.union([z.literal(3), z.literal(-1), z.tuple([z.literal(3)]), z.tuple([z.literal(-1)])]),
    epsilon: z.number().positive(),
    center: z.boolean(),
    scale: z.boolean(),
  }),
  Activation: z.object({ activation: z.enum(['relu', 'linear']) }),
  MaxPooling2D: z.object({ pool_size: pair, strides: pair, padding: z.literal('valid'), data_format: z.literal('channels_last') }),
  GlobalAveragePooling2D: z.object({ data_format: z.literal('channels_last') }),
};

/**
 * Writes the part of a Keras functional model (as a TensorFlow.js layers
 * model) that `outputLayer` depends on as an ONNX model, with Keras' "caffe"
 * preprocessing in front: uint8 RGB NHWC in, features out. ONNX convolutions
 * are NCHW, so the input is transposed once and kernels are stored
 * transposed. Each BatchNormalization is folded into the convolution before
 * it, which removes 53 passes over the feature maps from ResNet50 and changes
 * the result only by float32 rounding.
 *
 * Only the layer types and settings of ResNet50 are supported; anything else
 * is refused by name rather than converted approximately.
 */
export function kerasToOnnx(files: LayersModelFiles, options: KerasToOnnxOptions): Uint8Array {
  const topology = parseKerasTopology(files.modelJson);
  const byName = new Map(topology.layers.map((layer) => [layer.name, layer]));
  const [inputName, ...otherInputs] = topology.inputs;
  if (!inputName || otherInputs.length > 0) throw new Error('only models with one input are supported');
  const input = byName.get(inputName);
  if (!input) throw new Error(`the model has no input layer ${inputName}`);
  const needed = ancestors(options.outputLayer, byName);
  const consumers = new Map<string, KerasLayer[]>();
  for (const layer of topology.layers.filter((l) => needed.has(l.name))) {
    for (const from of layer.inputs) consumers.set(from, [...(consumers.get(from) ?? []), layer]);
  }

  const graph = new OnnxGraph();
  const [, height, width] = config(input, configs.InputLayer).batch_input_shape;
  const values = new Map<string, Value>([[inputName, caffePreprocessing(graph)]]);
  const weight = (name: string) => {
    const found = files.weights.get(name);
    if (!found) throw new Error(`the weights have no ${name}`);
    return found;
  };

  for (const layer of topology.layers) {
    if (!needed.has(layer.name) || values.has(layer.name)) continue;
    const inputs = layer.inputs.map((name) => {
      const value = values.get(name);
      if (!value) throw new Error(`layer ${layer.name} comes before its input ${name}`);
      return value;
    });
    const [x] = inputs;
    if (!x) throw new Error(`layer ${layer.name} (${layer.className}) has no input`);
    if (x.pooled) throw new Error(`layer ${layer.name} follows a pooled output; not supported`);
    const next = (name: string, channels = x.channels): Value => ({ name, channels, pooled: false });

    switch (layer.className) {
      case 'ZeroPadding2D': {
        const [[top, bottom], [left, right]] = config(layer, configs.ZeroPadding2D).padding;
        const pads = graph.ints(`${layer.name}/pads`, [8], [0, 0, top, left, 0, 0, bottom, right]);
        values.set(layer.name, next(graph.node('Pad', [x.name, pads], layer.name, { mode: 'constant' })));
        break;
      }
      case 'Conv2D': {
        const following = consumers.get(layer.name) ?? [];
        const batchNorm = following.length === 1 && following[0]!.className === 'BatchNormalization' ? following[0] : undefined;
        values.set(batchNorm?.name ?? layer.name, convolution(graph, x, layer, batchNorm, weight));
        break;
      }
      case 'Activation': {
        const { activation } = config(layer, configs.Activation);
        values.set(layer.name, activation === 'linear' ? x : next(graph.node('Relu', [x.name], layer.name)));
        break;
      }
      case 'MaxPooling2D': {
        const { pool_size, strides } = config(layer, configs.MaxPooling2D);
        values.set(layer.name, next(graph.node('MaxPool', [x.name], layer.name, { kernel_shape: pool_size, strides })));
        break;
      }
      case 'Add': {
        if (inputs.length !== 2 || inputs.some((value) => value.pooled || value.channels !== x.channels)) {
          throw new Error(`layer ${layer.name} (Add) must add two feature maps of the same shape`);
        }
        values.set(layer.name, next(graph.node('Add', inputs.map((value) => value.name), layer.name)));
        break;
      }
      case 'GlobalAveragePooling2D': {
        config(layer, configs.GlobalAveragePooling2D);
        const pooled = graph.node('GlobalAveragePool', [x.name], `${layer.name}/nc11`);
        values.set(layer.name, { name: graph.node('Flatten', [pooled], layer.name, { axis: 1 }), channels: x.channels, pooled: true });
        break;
      }
      case 'BatchNormalization':
        throw new Error(`layer ${layer.name} (BatchNormalization) does not directly follow a convolution used only by it`);
      default:
        throw new Error(`layer ${layer.name}: ${layer.className} is not supported by the ONNX conversion`);
    }
  }

  const output = values.get(options.outputLayer)!;
  if (!output.pooled) throw new Error(`layer ${options.outputLayer} gives feature maps, not one vector per image`);
  const finalOutput = graph.node('Identity', [output.name], ONNX_OUTPUT);
  return graph.serialize({
    input: { name: ONNX_INPUT, type: 'uint8', dims: ['batch', height, width, 3] },
    output: { name: finalOutput, type: 'float32', dims: ['batch', output.channels] },
    metadata: options.metadata,
  });
}

/** uint8 RGB NHWC -> float BGR minus the ImageNet means -> NCHW: exactly the steps of caffePreprocess. */
function caffePreprocessing(graph: OnnxGraph): Value {
  const float = graph.node('Cast', [ONNX_INPUT], 'preprocess/float', { to: ELEMENT_TYPES.float32 });
  const bgr = graph.node('Gather', [float, graph.ints('preprocess/bgr_order', [3], [2, 1, 0])], 'preprocess/bgr', { axis: 3 });
  const means = graph.floats('preprocess/means_bgr', [3], Float32Array.from(CAFFE_MEANS_BGR));
  const centred = graph.node('Sub', [bgr, means], 'preprocess/centred');
  return { name: graph.node('Transpose', [centred], 'preprocess/nchw', { perm: [0, 3, 1, 2] }), channels: 3, pooled: false };
}

/**
 * A Conv node, with the BatchNormalization after it folded in when there is
 * one: y = gamma (conv(x) + b - mean) / sqrt(var + eps) + beta, so each output
 * channel's kernel and bias are scaled. The folding runs in float64.
 */
function convolution(
  graph: OnnxGraph,
  x: Value,
  layer: KerasLayer,
  batchNorm: KerasLayer | undefined,
  weight: (name: string) => Weight,
): Value {
  const output = batchNorm?.name ?? layer.name;
  const inChannels = x.channels;
  const { filters, kernel_size, strides, padding, dilation_rate, use_bias } = config(layer, configs.Conv2D);
  const [kh, kw] = kernel_size;
  const kernel = weight(`${layer.name}/kernel`);
  if (kernel.shape.join() !== [kh, kw, inChannels, filters].join()) {
    throw new Error(`${layer.name}/kernel is [${kernel.shape.join(', ')}], expected [${kh}, ${kw}, ${inChannels}, ${filters}]`);
  }
  const bias = use_bias ? weight(`${layer.name}/bias`).values : new Float32Array(filters);
  const scale = new Float64Array(filters).fill(1);
  const shift = Float64Array.from(bias);
  if (batchNorm) {
    const { epsilon, center, scale: scaled } = config(batchNorm, configs.BatchNormalization);
    const mean = weight(`${batchNorm.name}/moving_mean`).values;
    const variance = weight(`${batchNorm.name}/moving_variance`).values;
    const gamma = scaled ? weight(`${batchNorm.name}/gamma`).values : undefined;
    const beta = center ? weight(`${batchNorm.name}/beta`).values : undefined;
    for (let o = 0; o < filters; o += 1) {
      scale[o] = (gamma?.[o] ?? 1) / Math.sqrt(variance[o]! + epsilon);
      shift[o] = (bias[o]! - mean[o]!) * scale[o]! + (beta?.[o] ?? 0);
    }
  }
  // Keras kernels are [kh, kw, in, out]; ONNX wants [out, in, kh, kw].
  const weights = new Float32Array(kernel.values.length);
  for (let y = 0; y < kh; y += 1) {
    for (let x = 0; x < kw; x += 1) {
      for (let i = 0; i < inChannels; i += 1) {
        const from = ((y * kw + x) * inChannels + i) * filters;
        for (let o = 0; o < filters; o += 1) {
          weights[((o * inChannels + i) * kh + y) * kw + x] = kernel.values[from + o]! * scale[o]!;
        }
      }
    }
  }
  const w = graph.floats(`${output}/weights`, [filters, inChannels, kh, kw], weights);
  const b = graph.floats(`${output}/bias`, [filters], Float32Array.from(shift));
  const pads = padding === 'valid' ? [0, 0, 0, 0] : samePads(layer, kernel_size, strides, dilation_rate);
  const name = graph.node('Conv', [x.name, w, b], output, { kernel_shape: kernel_size, strides, dilations: dilation_rate, pads });
  return { name, channels: filters, pooled: false };
}

/**
 * Keras 'same' padding puts any odd pixel at the end, and with a stride it
 * depends on the input size; with stride 1 and an odd (dilated) kernel, as in
 * ResNet50, it is the same on both sides whatever the size.
 */
function samePads(layer: KerasLayer, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const each = kernel.map((size, axis) => ((size - 1) * dilations[axis]!) / 2);
  if (strides.some((stride) => stride !== 1) || each.some((pad) => !Number.isInteger(pad))) {
    throw new Error(`layer ${layer.name}: 'same' padding is supported with stride 1 and odd kernels only`);
  }
  return [...each, ...each];
}

function config<T extends z.ZodType>(layer: KerasLayer, schema: T): z.infer<T> {
  const parsed = schema.safeParse(layer.config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`layer ${layer.name} (${layer.className}) has settings the ONNX conversion does not support: ${problems}`);
  }
  return parsed.data;
}

/** The layers `output` is computed from, itself included. */
function ancestors(output: string, byName: ReadonlyMap<string, KerasLayer>): Set<string> {
  const found = new Set<string>();
  const stack = [output];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (found.has(name)) continue;
    const layer = byName.get(name);
    if (!layer) throw new Error(`the model has no layer named ${name}`);
    found.add(name);
    stack.push(...layer.inputs);
  }
  return found;
}
