import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const manifestSchema = z.object({
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string()),
      weights: z.array(
        z.object({
          name: z.string(),
          shape: z.array(z.number().int().nonnegative()),
          dtype: z.string(),
          quantization: z.unknown().optional(),
        }),
      ),
    }),
  ),
});

export interface Weight {
  shape: number[];
  values: Float32Array;
}

/** A TensorFlow.js layers model as stored: model.json and its weight shards. */
export interface LayersModelFiles {
  /** model.json, parsed; its modelTopology is read by parseKerasTopology. */
  modelJson: unknown;
  /** Weights by their manifest name, e.g. `conv1/kernel`. */
  weights: Map<string, Weight>;
}

interface Manifest {
  jsonBytes: Buffer;
  modelJson: unknown;
  groups: z.infer<typeof manifestSchema>['weightsManifest'];
}

/**
 * sha256 over model.json and every shard in manifest order: what a converted
 * copy is keyed by. Reads the shards one at a time and keeps none of them.
 */
export async function hashLayersModelFiles(modelJsonPath: string): Promise<string> {
  const { jsonBytes, groups } = await readManifest(modelJsonPath);
  const hash = createHash('sha256').update(jsonBytes);
  for (const path of groups.flatMap((group) => group.paths)) hash.update(await readFile(join(dirname(modelJsonPath), path)));
  return hash.digest('hex');
}

/** Reads a local model.json and its shards. */
export async function readLayersModelFiles(modelJsonPath: string): Promise<LayersModelFiles> {
  const { modelJson, groups } = await readManifest(modelJsonPath);
  const weights = new Map<string, Weight>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((path) => readFile(join(dirname(modelJsonPath), path))));
    // A group's weights run across its shards back to back; one aligned copy
    // lets every weight be a Float32Array view.
    const bytes = new Uint8Array(shards.reduce((sum, shard) => sum + shard.byteLength, 0));
    shards.reduce((offset, shard) => (bytes.set(shard, offset), offset + shard.byteLength), 0);
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
        throw new Error(`weight ${spec.name} is ${spec.quantization === undefined ? spec.dtype : 'quantized'}; only float32 is supported`);
      }
      const length = spec.shape.reduce((product, size) => product * size, 1);
      if (offset + length * 4 > bytes.byteLength) throw new Error(`weight ${spec.name} runs past the end of its shards`);
      weights.set(spec.name, { shape: spec.shape, values: new Float32Array(bytes.buffer, offset, length) });
      offset += length * 4;
    }
  }
  return { modelJson, weights };
}

async function readManifest(modelJsonPath: string): Promise<Manifest> {
  const jsonBytes = await readFile(modelJsonPath);
  const modelJson: unknown = JSON.parse(jsonBytes.toString('utf8'));
  const parsed = manifestSchema.safeParse(modelJson);
  if (!parsed.success) throw new Error(`${modelJsonPath} has no readable weightsManifest: ${parsed.error.message}`);
  return { jsonBytes, modelJson, groups: parsed.data.weightsManifest };
}
