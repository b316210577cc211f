import type { BackendName } from '../ml/backend.js';
import { CategoricalHead } from '../ml/head/categorical-head.js';
import { embedInWorker, trainHeadInWorker } from '../ml/head/head-worker-client.js';
import { matrixRows } from '../ml/head/matrix.js';
import { headWeightBytes, parseSerializedHead, type SerializedHead } from '../ml/head/serialized-head.js';
import type { Head, HeadEngine } from './head-engine.js';
import { EMBEDDING_DIMENSIONS } from '../domain/hyperparameters.js';

/**
 * Rows above which embedding moves to a worker thread: a few query images
 * are quicker here, a catalog would hold this thread's event loop for seconds.
 */
const WORKER_ROWS = 256;

/** The categorical head on TensorFlow.js: trained on a worker thread, on the backend ResNet50 runs on. */
export function createTensorflowHeadEngine(backend: BackendName): HeadEngine {
  const headFrom = (serialized: SerializedHead): Head => {
    const model = CategoricalHead.fromSerialized(serialized);
    return {
      stored: { weights: headWeightBytes(serialized), layout: serialized.layout },
      async embed(features) {
        const { embeddings, predicted } =
          features.length > WORKER_ROWS ? await embedInWorker(serialized, features, { backend }) : model.embed(features);
        return { embeddings: matrixRows(embeddings), predicted: Array.from(predicted) };
      },
      dispose: () => model.dispose(),
    };
  };

  return {
    async train({ dataset, hyperparameters: hp, onEpoch, signal }) {
      const { head, keptEpoch, stoppedEarly } = await trainHeadInWorker(
        {
          train: { x: dataset.train.features, labels: dataset.train.labels },
          validation: { x: dataset.validation.features, labels: dataset.validation.labels },
          classes: dataset.classes.length,
        },
        {
          backend,
          signal,
          onEpoch,
          hyperparameters: {
            epochs: hp.epochs,
            batchSize: hp.batchSize,
            learningRate: hp.learningRate,
            dropout: hp.dropout,
            hiddenUnits: hp.hiddenUnits,
            midUnits: EMBEDDING_DIMENSIONS,
            classWeight: hp.classWeight,
            seed: hp.seed,
            earlyStoppingPatience: hp.earlyStoppingPatience,
            restoreBestWeights: hp.restoreBestWeights,
          },
        },
      );
      return { head: headFrom(head), keptEpoch, stoppedEarly };
    },
    async load(stored) {
      return headFrom(parseSerializedHead(stored));
    },
  };
}
