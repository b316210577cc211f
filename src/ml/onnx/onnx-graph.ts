import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Node attributes as the ops used here need them: ints, int lists and strings. */
export type Attribute = number | readonly number[] | string;

export type ElementType = 'uint8' | 'float32';

export interface GraphValue {
  name: string;
  type: ElementType;
  /** A string names a dimension fixed only at run time, e.g. the batch. */
  dims: readonly (number | string)[];
}

export interface ModelOptions {
  input: GraphValue;
  output: GraphValue;
  /** Key-value pairs stored in the model (metadata_props). */
  metadata: Record<string, string>;
}

/** Opset 13 has every op used here with its current semantics (Pad's pads as an input, since 11). */
const OPSET = 13;
/** The IR version that goes with opset 13. */
const IR_VERSION = 7;
export const ELEMENT_TYPES = { uint8: onnx.TensorProto.DataType.UINT8, float32: onnx.TensorProto.DataType.FLOAT } as const;

/** Collects nodes and initializers of one ONNX graph and serializes it as a model. */
export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();

  /** Adds a node with one output named `output`; returns that name for the next node's inputs. */
  node(opType: string, inputs: readonly string[], output: string, attributes: Record<string, Attribute> = {}): string {
    this.claim(output);
    this.nodes.push({
      opType,
      name: output,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** A float32 constant, stored raw (little-endian, as ONNX requires and x86/ARM are). */
  floats(name: string, dims: readonly number[], values: Float32Array): string {
    this.claim(name);
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData });
    return name;
  }

  ints(name: string, dims: readonly number[], values: readonly number[]): string {
    this.claim(name);
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] });
    return name;
  }

  serialize({ input, output, metadata }: ModelOptions): Uint8Array {
    const model: onnxProto.onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'lookalike',
      graph: {
        name: 'graph',
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(input)],
        output: [valueInfo(output)],
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`the ONNX graph already has a value named ${name}`);
    this.names.add(name);
  }
}

function attribute(name: string, value: Attribute): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.INTS, ints: [...value] };
}

function valueInfo({ name, type, dims }: GraphValue): onnxProto.onnx.IValueInfoProto {
  const dim = dims.map((size) => (typeof size === 'string' ? { dimParam: size } : { dimValue: size }));
  return { name, type: { tensorType: { elemType: ELEMENT_TYPES[type], shape: { dim } } } };
}
