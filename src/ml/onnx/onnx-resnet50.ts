import * as ort from 'onnxruntime-node';
import { INPUT_CHANNELS, INPUT_LENGTH, INPUT_SIZE } from '../image.js';
import { ONNX_INPUT, ONNX_OUTPUT } from './keras-to-onnx.js';

export interface OnnxResnet50Options {
  /** Threads ONNX Runtime spreads one batch over. */
  threads: number;
}

/** ResNet50 up to `avg_pool` on ONNX Runtime's CPU engine, from a file made by ensureOnnxResnet50. */
export class OnnxResnet50 {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(path: string, { threads }: OnnxResnet50Options): Promise<OnnxResnet50> {
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: threads,
      // One chain of ops: threads between ops would have nothing to run.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // 'all' includes the layout pass to blocked NCHWc convolutions, the fast path on AVX2/AVX-512.
      graphOptimizationLevel: 'all',
      // Idle pool threads spin-wait by default; on a machine shared with other
      // work that burns the cores the other workers need.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return new OnnxResnet50(session);
  }

  /** 2048 floats per image (`avg_pool`), for 224x224x3 RGB pixels as prepareImage makes them. */
  async features(images: readonly Uint8Array[]): Promise<Float32Array[]> {
    const pixels = new Uint8Array(images.length * INPUT_LENGTH);
    images.forEach((image, i) => {
      if (image.length !== INPUT_LENGTH) throw new Error(`image ${i} has ${image.length} values, expected ${INPUT_LENGTH} (224x224 RGB)`);
      pixels.set(image, i * INPUT_LENGTH);
    });
    return this.packedFeatures(pixels, images.length);
  }

  /** The same for `count` images already back to back in one buffer, as the feature worker receives them. */
  async packedFeatures(pixels: Uint8Array, count: number): Promise<Float32Array[]> {
    if (count === 0) return [];
    if (pixels.length !== count * INPUT_LENGTH) throw new Error(`${pixels.length} values are not ${count} images of 224x224 RGB`);
    const input = new ort.Tensor('uint8', pixels, [count, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS]);
    const output = (await this.session.run({ [ONNX_INPUT]: input }))[ONNX_OUTPUT];
    try {
      const values = output!.data as Float32Array;
      const length = values.length / count;
      return Array.from({ length: count }, (_, i) => values.slice(i * length, (i + 1) * length));
    } finally {
      output?.dispose();
      input.dispose();
    }
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}
