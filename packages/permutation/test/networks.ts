import { createRng, type Rng } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import type { BatchNorm, Cnn, DenseLayer, Tensor } from '../src/index.js';

export function randomDense(rng: Rng, out: number, inputs: number): DenseLayer {
  const weight = new Matrix(out, inputs);
  for (let i = 0; i < out; i++) for (let j = 0; j < inputs; j++) weight.set(i, j, rng.normal() / Math.sqrt(inputs));
  return { weight, bias: rng.normalArray(out).map((v) => 0.1 * v) };
}

export function randomTensor(rng: Rng, shape: number[], scale = 1): Tensor {
  const size = shape.reduce((x, y) => x * y, 1);
  return { shape, data: rng.normalArray(size).map((v) => scale * v) };
}

export function randomBatchNorm(rng: Rng, channels: number): BatchNorm {
  return {
    gamma: rng.uniformArray(channels).map((v) => 0.5 + v),
    beta: rng.normalArray(channels).map((v) => 0.1 * v),
    runningMean: rng.normalArray(channels).map((v) => 0.2 * v),
    runningVar: rng.uniformArray(channels).map((v) => 0.5 + v),
    epsilon: 1e-5,
  };
}

/** conv(2 -> c1, 3x3) + BN, conv(c1 -> c2, 3x3), flatten, dense(c2 * 2 * 2 -> 7), dense(7 -> 3). Input [2, 6, 6]. */
export function randomCnn(seed: number, c1 = 5, c2 = 4): Cnn {
  const rng = createRng(seed);
  return {
    conv: [
      { weight: randomTensor(rng, [c1, 2, 3, 3], 0.4), bias: rng.normalArray(c1).map((v) => 0.1 * v), batchNorm: randomBatchNorm(rng, c1) },
      { weight: randomTensor(rng, [c2, c1, 3, 3], 0.3), bias: rng.normalArray(c2).map((v) => 0.1 * v) },
    ],
    dense: [randomDense(rng, 7, c2 * 2 * 2), randomDense(rng, 3, 7)],
  };
}

export function randomPermutation(rng: Rng, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = n - 1; k > 0; k--) {
    const t = Math.floor(rng.uniform() * (k + 1));
    [p[k], p[t]] = [p[t]!, p[k]!];
  }
  return p;
}
