import { createRng } from '@descramble/linalg';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { capture } from './capture.js';
import { InvalidArgumentError, InvalidPermutationError, NotOddActivationError } from './errors.js';
import { activation, batchNorm, conv1d, conv2d, dense, flatten, sequential } from './layers.js';
import { permuteHiddenUnits, signedPermutationFromMatrix, verifyReparametrisation } from './reparametrise.js';
import type { Tensor } from './tensor.js';

function randomTensor(shape: number[], seed: number): Tensor {
  let size = 1;
  for (const extent of shape) size *= extent;
  return { shape, data: createRng(seed).normalArray(size) };
}

const tanhMlp = sequential(
  [6],
  [
    dense({ name: 'fc1', weight: randomTensor([5, 6], 1), bias: randomTensor([5], 2).data }),
    batchNorm({ name: 'bn1', scale: [1, 2, 0.5, -1, 3], shift: [0, 1, 0, -1, 0.3], mean: [0.1, 0, 0, 0.2, -0.4], variance: [1, 2, 3, 4, 0.5] }),
    activation('tanh', 'act1'),
    dense({ name: 'fc2', weight: randomTensor([4, 5], 3), bias: randomTensor([4], 4).data }),
    activation('identity', 'act2'),
    dense({ name: 'fc3', weight: randomTensor([2, 4], 5) }),
  ],
);

const convNet = sequential(
  [2, 7, 6],
  [
    conv2d({ name: 'conv1', weight: randomTensor([4, 2, 3, 3], 6), bias: randomTensor([4], 7).data, padding: 1, stride: [2, 1] }),
    activation('tanh', 'act1'),
    batchNorm({ name: 'bn1', scale: [1, -2, 0.5, 1.5], shift: [0.2, 1, 0, -1], mean: [0.1, 0, -0.3, 0.2], variance: [1, 2, 3, 0.4] }),
    conv2d({ name: 'conv2', weight: randomTensor([3, 4, 2, 2], 8), bias: null }),
    activation('relu', 'relu2'),
    flatten('flatten'),
    dense({ name: 'fc', weight: randomTensor([2, 3 * 3 * 5], 9), bias: [0.5, -0.5] }),
  ],
);

const signedPermutationArbitrary = (d: number) =>
  fc.tuple(
    fc.shuffledSubarray(Array.from({ length: d }, (_, i) => i), { minLength: d, maxLength: d }),
    fc.array(fc.constantFrom(1, -1), { minLength: d, maxLength: d }),
  );

describe('permuteHiddenUnits', () => {
  const x = randomTensor([9, 6], 10);
  const images = randomTensor([3, 2, 7, 6], 11);

  it('keeps an MLP function (tanh, batch norm, identity) under any signed permutation', () => {
    fc.assert(
      fc.property(signedPermutationArbitrary(5), signedPermutationArbitrary(4), ([p1, s1], [p2, s2]) => {
        const once = permuteHiddenUnits(tanhMlp, 'fc1', p1, { signs: s1 });
        const twice = permuteHiddenUnits(once, 'fc2', p2, { signs: s2 });
        // Same terms in another order in the next layer's sums: ~1e-16 relative; 1e-12 absolute.
        expect(verifyReparametrisation(tanhMlp, twice, x).maxAbsDifference).toBeLessThan(1e-12);
      }),
      { numRuns: 40 },
    );
  });

  it('moves hidden units exactly: new unit i is signs[i] times old unit permutation[i]', async () => {
    const permutation = [3, 0, 4, 1, 2];
    const signs = [1, -1, -1, 1, 1];
    const permuted = permuteHiddenUnits(tanhMlp, 'fc1', permutation, { signs });
    const before = (await capture(tanhMlp, x, 'fc1', { keep: true, gram: false })).values!;
    const after = (await capture(permuted, x, 'fc1', { keep: true, gram: false })).values!;
    for (let n = 0; n < 9; n++) {
      for (let i = 0; i < 5; i++) expect(after.data[n * 5 + i]).toBe(signs[i]! * before.data[n * 5 + permutation[i]!]!);
    }
  });

  it('keeps a CNN function under channel permutations, signed across tanh and batch norm', () => {
    fc.assert(
      fc.property(signedPermutationArbitrary(4), fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }), ([p1, s1], p2) => {
        const once = permuteHiddenUnits(convNet, 'conv1', p1, { signs: s1 });
        const twice = permuteHiddenUnits(once, 'conv2', p2);
        expect(verifyReparametrisation(convNet, twice, images).maxAbsDifference).toBeLessThan(1e-12);
      }),
      { numRuns: 30 },
    );
  });

  it('changes the function when the next layer is not updated (the check can fail)', () => {
    const permuted = permuteHiddenUnits(tanhMlp, 'fc1', [1, 0, 2, 3, 4]);
    const broken = sequential(tanhMlp.inputShape, [permuted.layers[0]!, ...tanhMlp.layers.slice(1)]);
    expect(verifyReparametrisation(tanhMlp, broken, x).maxAbsDifference).toBeGreaterThan(1e-3);
  });

  it('refuses signs across a non-odd activation with NotOddActivationError', () => {
    try {
      permuteHiddenUnits(convNet, 'conv2', [0, 1, 2], { signs: [1, -1, 1] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NotOddActivationError);
      expect((error as NotOddActivationError).activation).toBe('relu');
      expect((error as NotOddActivationError).layer).toBe('conv2');
    }
    // plain permutations pass through ReLU
    expect(verifyReparametrisation(convNet, permuteHiddenUnits(convNet, 'conv2', [2, 0, 1]), images).maxAbsDifference).toBeLessThan(1e-12);
  });

  it('handles grouped convolutions when the permutation keeps each group', () => {
    const grouped = sequential(
      [4, 9],
      [
        conv1d({ name: 'a', weight: randomTensor([6, 2, 3], 12), bias: randomTensor([6], 13).data, groups: 2 }),
        activation('tanh'),
        conv1d({ name: 'b', weight: randomTensor([4, 3, 2], 14), groups: 2 }),
        flatten(),
        dense({ name: 'out', weight: randomTensor([1, 24], 15) }),
      ],
    );
    const signal = randomTensor([2, 4, 9], 16);
    const ok = permuteHiddenUnits(grouped, 'a', [2, 0, 1, 5, 3, 4], { signs: [1, -1, 1, -1, -1, 1] });
    expect(verifyReparametrisation(grouped, ok, signal).maxAbsDifference).toBeLessThan(1e-12);
    expect(() => permuteHiddenUnits(grouped, 'a', [3, 0, 1, 2, 4, 5])).toThrow(InvalidPermutationError);
  });

  it('accepts a signed permutation matrix', () => {
    const p = new Matrix([
      [0, -1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const signed = signedPermutationFromMatrix(p);
    expect(Array.from(signed.permutation)).toEqual([1, 2, 0]);
    expect(Array.from(signed.signs)).toEqual([-1, 1, 1]);
    expect(() => signedPermutationFromMatrix(new Matrix([[1, 1], [0, 1]]))).toThrow(InvalidPermutationError);
    expect(() => signedPermutationFromMatrix(new Matrix([[0.5, 0], [0, 1]]))).toThrow(InvalidPermutationError);
  });

  it('rejects malformed permutations, non-linear layers and the output layer', () => {
    expect(() => permuteHiddenUnits(tanhMlp, 'fc1', [0, 1, 2, 3])).toThrow(InvalidPermutationError);
    expect(() => permuteHiddenUnits(tanhMlp, 'fc1', [0, 0, 2, 3, 4])).toThrow(InvalidPermutationError);
    expect(() => permuteHiddenUnits(tanhMlp, 'fc1', [0, 1, 2, 3, 4], { signs: [1, 1, 2, 1, 1] })).toThrow(InvalidPermutationError);
    expect(() => permuteHiddenUnits(tanhMlp, 'act1', [0, 1, 2, 3, 4])).toThrow(InvalidArgumentError);
    expect(() => permuteHiddenUnits(tanhMlp, 'fc3', [1, 0])).toThrow(InvalidArgumentError);
  });

  it('never mutates the model it is given', () => {
    const before = JSON.stringify(tanhMlp.layers.map((l) => ('weight' in l ? Array.from(l.weight.data) : l.kind)));
    permuteHiddenUnits(tanhMlp, 'fc1', [4, 3, 2, 1, 0], { signs: [-1, -1, -1, -1, -1] });
    expect(JSON.stringify(tanhMlp.layers.map((l) => ('weight' in l ? Array.from(l.weight.data) : l.kind)))).toBe(before);
  });
});
