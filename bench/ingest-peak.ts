import * as ort from 'onnxruntime-node';
import { OnnxGraph } from '../src/ml/onnx/onnx-graph.js';

/**
 * The machine's attainable float32 peak: the best of several n x n x n
 * matrix products through ONNX Runtime's MLAS sgemm, whose kernels are
 * hand-written for the instruction set found at run time (AVX2+FMA, or
 * AVX-512 where the CPU has it) and reach most of the FMA units' nominal rate.
 * A loop in WebAssembly could not: wasm SIMD is 128 bits wide and has no
 * fused multiply-add, so it would measure a quarter of an AVX-512 core or
 * less and make every ratio to the floor look better than it is.
 */
export async function measurePeakGflops(threads: number, n = 2048, repeats = 5): Promise<number> {
  const graph = new OnnxGraph();
  const b = graph.floats('b', [n, n], Float32Array.from({ length: n * n }, (_, i) => ((i % 17) - 8) / 8));
  graph.node('MatMul', ['a', b], 'c');
  const model = graph.serialize({
    input: { name: 'a', type: 'float32', dims: [n, n] },
    output: { name: 'c', type: 'float32', dims: [n, n] },
    metadata: {},
  });
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const a = new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => ((i % 13) - 6) / 6), [n, n]);
  try {
    await session.run({ a });
    let best = Infinity;
    for (let i = 0; i < repeats; i += 1) {
      const began = performance.now();
      await session.run({ a });
      best = Math.min(best, performance.now() - began);
    }
    return (2 * n ** 3) / (best * 1e6);
  } finally {
    await session.release();
  }
}
