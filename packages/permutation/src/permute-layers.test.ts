import { createRng } from '@descramble/linalg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBatchNorm, randomCnn, randomDense, randomPermutation, randomTensor } from '../test/networks.js';
import { type Activation, activate, cnnForward, conv, dense, maxRelativeDifference, mlpForward } from '../test/reference-forward.js';
import { DimensionMismatchError, InvalidArgumentError } from './errors.js';
import {
  type ConvLayer,
  permuteBatchNorm,
  permuteConvInputs,
  permuteConvLayer,
  permuteDenseInputs,
  permuteDenseLayer,
  permuteFlattenedInputs,
  permuteVector,
} from './permute-layers.js';
import { composePermutations, invertPermutation } from './permutations.js';
import { tensor } from './tensor.js';

// Reparametrised networks must agree to rounding: a few dozen flops per output, so
// 1e-12 relative leaves room of ~100 eps while any misplaced weight shows at O(1).
const TOLERANCE = 1e-12;

describe('permutations', () => {
  it('invert and compose: p composed with its inverse is the identity; gather semantics', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const rng = createRng(seed);
        const p = randomPermutation(rng, n);
        const q = randomPermutation(rng, n);
        const identity = Array.from({ length: n }, (_, i) => i);
        expect(Array.from(composePermutations(p, invertPermutation(p)))).toEqual(identity);
        expect(Array.from(composePermutations(invertPermutation(p), p))).toEqual(identity);
        const v = rng.normalArray(n);
        expect(Array.from(permuteVector(permuteVector(v, p), q))).toEqual(Array.from(permuteVector(v, composePermutations(p, q))));
      }),
    );
  });
});

describe('exact reparametrisations', () => {
  it('an MLP with permuted hidden units computes the same function (relu, tanh; signed for tanh)', () => {
    for (const activation of ['relu', 'tanh'] as Activation[]) {
      const rng = createRng(activation === 'relu' ? 1 : 2);
      const layers = [randomDense(rng, 9, 5), randomDense(rng, 6, 9), randomDense(rng, 3, 6)];
      const p1 = randomPermutation(rng, 9);
      const p2 = randomPermutation(rng, 6);
      const signs1 = activation === 'tanh' ? Array.from({ length: 9 }, () => (rng.uniform() < 0.5 ? -1 : 1)) : undefined;
      const permuted = [
        permuteDenseLayer(layers[0]!, p1, signs1),
        permuteDenseLayer(permuteDenseInputs(layers[1]!, p1, signs1), p2),
        permuteDenseInputs(layers[2]!, p2),
      ];
      for (let trial = 0; trial < 5; trial++) {
        const x = rng.normalArray(5);
        const y = mlpForward(layers, x, activation);
        const z = mlpForward(permuted, x, activation);
        expect(maxRelativeDifference(y, z)).toBeLessThanOrEqual(TOLERANCE);
      }
      // hidden activations are the permuted ones
      const x = rng.normalArray(5);
      const h = activate(dense(layers[0]!, x), activation);
      const hp = activate(dense(permuted[0]!, x), activation);
      expect(maxRelativeDifference(permuteVector(h, p1, signs1), hp)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('a CNN (conv+BN, conv, flatten, dense) with permuted channels computes the same function', () => {
    const net = randomCnn(3);
    const rng = createRng(4);
    const p1 = randomPermutation(rng, 5);
    const signs1 = [1, -1, -1, 1, -1];
    const p2 = randomPermutation(rng, 4);
    const p3 = randomPermutation(rng, 7);
    const [c1, c2] = net.conv as [ConvLayer & { batchNorm: NonNullable<(typeof net.conv)[0]['batchNorm']> }, ConvLayer];
    const [d1, d2] = net.dense as [(typeof net.dense)[0], (typeof net.dense)[0]];
    for (const signed of [false, true]) {
      const s = signed ? signs1 : undefined;
      const permuted = {
        conv: [
          { ...permuteConvLayer(c1, p1, s), batchNorm: permuteBatchNorm(c1.batchNorm, p1, s) },
          permuteConvLayer(permuteConvInputs(c2, p1, s), p2),
        ],
        dense: [permuteDenseLayer(permuteFlattenedInputs(d1, p2, 4), p3), permuteDenseInputs(d2, p3)],
      };
      // the first block's activation must be odd for the signed case
      const activations: Activation[] = ['tanh', 'relu', 'relu'];
      for (let trial = 0; trial < 3; trial++) {
        const x = randomTensor(rng, [2, 6, 6]);
        const y = cnnForward(net, x, activations);
        const z = cnnForward(permuted, x, activations);
        expect(maxRelativeDifference(y, z)).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('1-D convolutions: out-channels and the next layer in-channels move together', () => {
    const rng = createRng(5);
    const first: ConvLayer = { weight: randomTensor(rng, [6, 3, 4]), bias: rng.normalArray(6) };
    const second: ConvLayer = { weight: randomTensor(rng, [2, 6, 3]), bias: rng.normalArray(2) };
    const p = randomPermutation(rng, 6);
    const signs = [-1, 1, 1, -1, 1, -1];
    const x = randomTensor(rng, [3, 20]);
    const forward = (a: ConvLayer, b: ConvLayer): Float64Array => {
      const h = conv(a.weight, a.bias, x);
      return conv(b.weight, b.bias, { shape: h.shape, data: activate(h.data, 'tanh') }).data;
    };
    const y = forward(first, second);
    const z = forward(permuteConvLayer(first, p, signs), permuteConvInputs(second, p, signs));
    expect(maxRelativeDifference(y, z)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('batch norm: a flipped channel flips its output exactly', () => {
    const rng = createRng(6);
    const norm = randomBatchNorm(rng, 3);
    const flipped = permuteBatchNorm(norm, [0, 1, 2], [-1, 1, 1]);
    const x = 0.7;
    const out = (n: typeof norm, c: number, v: number) =>
      (n.gamma[c]! * (v - n.runningMean[c]!)) / Math.sqrt(n.runningVar[c]! + 1e-5) + n.beta[c]!;
    expect(out(flipped, 0, -x)).toBeCloseTo(-out(norm, 0, x), 14);
    expect(flipped.gamma[0]).toBe(norm.gamma[0]);
    expect(flipped.runningVar[0]).toBe(norm.runningVar[0]);
  });

  it('does not modify its inputs and validates with typed errors', () => {
    const rng = createRng(7);
    const layer = randomDense(rng, 4, 3);
    const before = layer.weight.to2DArray();
    permuteDenseLayer(layer, [3, 2, 1, 0], [1, -1, 1, -1]);
    expect(layer.weight.to2DArray()).toEqual(before);
    expect(() => permuteDenseLayer(layer, [0, 1, 2])).toThrow(DimensionMismatchError);
    expect(() => permuteDenseLayer(layer, [0, 1, 1, 2])).toThrow(InvalidArgumentError);
    expect(() => permuteDenseLayer(layer, [0, 1, 2, 3], [1, 1, 0, 1])).toThrow(InvalidArgumentError);
    expect(() => permuteFlattenedInputs(layer, [0, 1], 2)).toThrow(DimensionMismatchError);
    expect(() => permuteConvLayer({ weight: randomTensor(rng, [4, 3]) }, [0, 1, 2, 3])).toThrow(DimensionMismatchError);
    expect(() => tensor([2, 3], new Float64Array(5))).toThrow(DimensionMismatchError);
    expect(tensor([2, 2], [1, 2, 3, 4]).data).toEqual(Float64Array.from([1, 2, 3, 4]));
  });
});
