import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isRemoteModelUrl } from './resnet50-weights.js';

/**
 * tf.loadLayersModel reads http(s) URLs by itself, but plain file paths only
 * with tfjs-node installed; this reads model.json and its weight shards from
 * disk so that every backend loads the same way.
 */
export function loadLayersModelFrom(modelUrl: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(isRemoteModelUrl(modelUrl) ? modelUrl : fileHandler(modelUrl));
}

function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load() {
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const paths = manifest.flatMap((group) => group.paths.map((path) => join(dirname(modelJsonPath), path)));
        const shards = await Promise.all(paths.map(readArrayBuffer));
        return [specs, shards];
      });
    },
  };
}

async function readArrayBuffer(path: string): Promise<ArrayBuffer> {
  const bytes = await readFile(path);
  // A Buffer may be a view into a larger ArrayBuffer, and tfjs reads whole ArrayBuffers.
  return bytes.buffer.byteLength === bytes.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}
