import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../../../src/util/seeded-random.js';

export interface SmallModelOptions {
  /** Seeds the weights: another seed makes another model of the same shape. */
  seed: number;
  /** The stem's activation; 'tanh' is one the ONNX conversion refuses. */
  activation?: 'relu' | 'tanh';
}

/**
 * A few-layer model with every layer type and setting of ResNet50's (both
 * paddings, strided 1x1 and 7x7 convolutions, BatchNormalization with
 * non-trivial statistics, a residual Add, `avg_pool` of 2048 channels and an
 * `fc1000` head), saved as a TensorFlow.js layers model like the npm
 * package's. It converts and runs in well under a second.
 */
export async function writeSmallKerasModel(dir: string, { seed, activation = 'relu' }: SmallModelOptions): Promise<string> {
  const l = tf.layers;
  const input = tf.input({ shape: [224, 224, 3], name: 'input_1' });
  const bn = (name: string) => l.batchNormalization({ axis: 3, epsilon: 1e-3, name });
  let x = l.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }).apply(input) as tf.SymbolicTensor;
  x = l.conv2d({ filters: 8, kernelSize: 7, strides: 2, name: 'conv1' }).apply(x) as tf.SymbolicTensor;
  x = bn('bn_conv1').apply(x) as tf.SymbolicTensor;
  x = l.activation({ activation, name: 'activation' }).apply(x) as tf.SymbolicTensor;
  x = l.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }).apply(x) as tf.SymbolicTensor;
  x = l.maxPooling2d({ poolSize: 3, strides: 2, name: 'max_pooling2d' }).apply(x) as tf.SymbolicTensor;
  let branch = l.conv2d({ filters: 4, kernelSize: 1, strides: 2, name: 'res2a_branch2a' }).apply(x) as tf.SymbolicTensor;
  branch = bn('bn2a_branch2a').apply(branch) as tf.SymbolicTensor;
  branch = l.activation({ activation: 'relu', name: 'activation_1' }).apply(branch) as tf.SymbolicTensor;
  branch = l.conv2d({ filters: 2048, kernelSize: 3, padding: 'same', name: 'res2a_branch2b' }).apply(branch) as tf.SymbolicTensor;
  branch = bn('bn2a_branch2b').apply(branch) as tf.SymbolicTensor;
  let shortcut = l.conv2d({ filters: 2048, kernelSize: 1, strides: 2, name: 'res2a_branch1' }).apply(x) as tf.SymbolicTensor;
  shortcut = bn('bn2a_branch1').apply(shortcut) as tf.SymbolicTensor;
  x = l.add({ name: 'add' }).apply([branch, shortcut]) as tf.SymbolicTensor;
  x = l.activation({ activation: 'relu', name: 'activation_2' }).apply(x) as tf.SymbolicTensor;
  x = l.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  const output = l.dense({ units: 10, activation: 'softmax', name: 'fc1000' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });

  // Keras' initial BatchNormalization is the identity; trained statistics are
  // what the folding has to get right, so every weight is drawn at random.
  const random = seededRandom(seed);
  model.setWeights(
    model.weights.map((weight) => {
      const variance = weight.name.endsWith('moving_variance');
      const size = weight.shape.reduce((product: number, n) => product * (n ?? 1), 1);
      const values = Float32Array.from({ length: size }, () => (variance ? 0.5 + random() : random() - 0.5));
      return tf.tensor(values, weight.shape as number[]);
    }),
  );

  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
      const modelJson = { format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest };
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return join(dir, 'model.json');
}
