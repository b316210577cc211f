// Keras clips probabilities to [epsilon, 1 - epsilon] before the log.
const EPSILON = 1e-7;

export interface CrossEntropySums {
  /** Sum over rows of weight * -log(p[label]). */
  loss: number;
  /** Rows whose largest logit is their label's. */
  correct: number;
}

/**
 * Softmax cross-entropy over rows of logits ([rows, classes], row-major),
 * in float64, as Keras's categorical cross-entropy on a softmax output
 * reports it. When `gradient` is given it receives d(mean weighted loss) /
 * d(logits) = weight * (softmax - onehot) / rows: the softmax and the loss
 * differentiated together, which is exact and cheap.
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: ArrayLike<number>,
  sampleWeights?: ArrayLike<number>,
  gradient?: Float32Array,
): CrossEntropySums {
  const rows = labels.length;
  const classes = logits.length / rows;
  const probabilities = new Float64Array(classes);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    const offset = i * classes;
    const label = labels[i]!;
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[offset + c]! > logits[offset + best]!) best = c;
    const max = logits[offset + best]!;
    let total = 0;
    for (let c = 0; c < classes; c++) {
      probabilities[c] = Math.exp(logits[offset + c]! - max);
      total += probabilities[c]!;
    }
    const weight = sampleWeights ? sampleWeights[i]! : 1;
    const p = Math.min(Math.max(probabilities[label]! / total, EPSILON), 1 - EPSILON);
    loss -= weight * Math.log(p);
    if (best === label) correct++;
    if (gradient) {
      const scale = weight / rows;
      for (let c = 0; c < classes; c++) {
        gradient[offset + c] = scale * (probabilities[c]! / total - (c === label ? 1 : 0));
      }
    }
  }
  return { loss, correct };
}
