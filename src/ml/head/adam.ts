import * as tf from '@tensorflow/tfjs';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Adam with the update of tf.train.adam (Keras's, but for where epsilon
 * sits), in fewer element-wise passes over the weights, which on the wasm
 * backend are a large part of a step. The
 * moments are kept unnormalized, m~ = m / (1 - beta1) and v~ = v / (1 - beta2),
 * so each takes one multiply-add; their constants and the bias corrections
 * fold into two scalars per step:
 *   w -= lr * m^ / (sqrt(v^) + eps)  with m^ = m / (1 - beta1^t), v^ = v / (1 - beta2^t)
 *   == w - alpha * m~ / (sqrt(v~) + eps / c),
 *   c = sqrt((1 - beta2) / (1 - beta2^t)), alpha = lr * (1 - beta1) / ((1 - beta1^t) * c).
 */
export class Adam<Name extends string> {
  private step = 0;
  private readonly moments: Record<string, { m: tf.Variable; v: tf.Variable }>;

  constructor(
    private readonly variables: Record<Name, tf.Variable>,
    private readonly settings: AdamSettings,
  ) {
    const zeros = (like: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(like), false));
    this.moments = Object.fromEntries(
      Object.entries<tf.Variable>(variables).map(([name, variable]) => [name, { m: zeros(variable), v: zeros(variable) }]),
    );
  }

  apply(gradients: Record<Name, tf.Tensor>): void {
    const { learningRate, beta1, beta2, epsilon } = this.settings;
    this.step++;
    const c = Math.sqrt((1 - beta2) / (1 - beta2 ** this.step));
    const alpha = (learningRate * (1 - beta1)) / ((1 - beta1 ** this.step) * c);
    tf.tidy(() => {
      for (const [name, gradient] of Object.entries<tf.Tensor>(gradients)) {
        const { m, v } = this.moments[name]!;
        const variable = this.variables[name as Name];
        m.assign(tf.add(tf.mul(m, beta1), gradient));
        v.assign(tf.add(tf.mul(v, beta2), tf.square(gradient)));
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon / c)), alpha)));
      }
    });
  }

  dispose(): void {
    for (const { m, v } of Object.values(this.moments)) tf.dispose([m, v]);
  }
}
