import { createRng } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import {
  type Cnn,
  type ConvLayer,
  channelGram,
  composePermutations,
  type DenseLayer,
  descrambleChannels,
  matchCnnWeights,
  matchMlpWeights,
  permuteBatchNorm,
  permuteConvInputs,
  permuteConvLayer,
  permuteDenseInputs,
  permuteDenseLayer,
  permuteFlattenedInputs,
  type Tensor,
} from '../src/index.js';
import { randomCnn, randomDense, randomPermutation, randomTensor } from './networks.js';
import { type Activation, cnnForward, conv, maxRelativeDifference, mlpForward } from './reference-forward.js';

/**
 * A conv layer whose filters vary smoothly along the output-channel axis: filter c is
 * sum_k sin(pi k (c + 1) / (C + 1)) G_k / k^2 over the three lowest Dirichlet modes k,
 * G_k random. Its preactivations are then smooth along the channels in the natural
 * order (and its reversal, which maps each sine mode to +-itself).
 */
function smoothConv(seed: number, channels: number, inputs: number, k: number): ConvLayer {
  const rng = createRng(seed);
  const block = inputs * k * k;
  const modes = [1, 2, 3].map(() => rng.normalArray(block));
  const data = new Float64Array(channels * block);
  for (let c = 0; c < channels; c++) {
    for (let m = 0; m < 3; m++) {
      const w = Math.sin((Math.PI * (m + 1) * (c + 1)) / (channels + 1)) / (m + 1) ** 2;
      for (let t = 0; t < block; t++) data[c * block + t] = data[c * block + t]! + w * modes[m]![t]!;
    }
  }
  return { weight: { shape: [channels, inputs, k, k], data } };
}

function preactivations(layer: ConvLayer, inputs: Tensor[]): Tensor {
  const outs = inputs.map((x) => conv(layer.weight, layer.bias, x));
  const shape = [inputs.length, ...outs[0]!.shape];
  const data = new Float64Array(outs.reduce((s, o) => s + o.data.length, 0));
  outs.forEach((o, n) => data.set(o.data, n * o.data.length));
  return { shape, data };
}

function isIdentityOrReversal(p: Int32Array): boolean {
  const n = p.length;
  return p.every((v, i) => v === i) || p.every((v, i) => v === n - 1 - i);
}

describe('planted channel permutations', () => {
  const channels = 12;
  const layer = smoothConv(1, channels, 3, 3);
  const rng = createRng(2);
  const inputs = Array.from({ length: 6 }, () => randomTensor(rng, [3, 8, 8]));

  it('recovers the smooth channel order of a scrambled conv layer exactly (up to reversal)', () => {
    for (let trial = 0; trial < 3; trial++) {
      const scramble = randomPermutation(rng, channels);
      const scrambled = permuteConvLayer(layer, scramble);
      const result = descrambleChannels(channelGram(preactivations(scrambled, inputs)), { operator: 'dirichlet', solver: { seed: trial } });
      // new channel i = scrambled channel p[i] = original channel scramble[p[i]]
      const recovered = composePermutations(scramble, result.permutation);
      expect(isIdentityOrReversal(recovered), Array.from(recovered).join(',')).toBe(true);
      expect(result.lowerBound).toBeLessThanOrEqual(result.value);
      // the descrambled layer is the original (or its reversal)
      const descrambled = permuteConvLayer(scrambled, result.permutation);
      const reference = recovered[0] === 0 ? layer : permuteConvLayer(layer, recovered);
      expect(Array.from(descrambled.weight.data)).toEqual(Array.from(reference.weight.data));
    }
  });

  it('recovers planted sign flips too when asked (odd activation), up to one global sign', () => {
    const scramble = randomPermutation(rng, channels);
    const flips = Array.from({ length: channels }, () => (rng.uniform() < 0.5 ? -1 : 1));
    const scrambled = permuteConvLayer(layer, scramble, flips);
    const gram = channelGram(preactivations(scrambled, inputs));
    const result = descrambleChannels(gram, { operator: 'dirichlet', signed: true, activation: 'odd' });
    const recovered = composePermutations(scramble, result.permutation);
    expect(isIdentityOrReversal(recovered), Array.from(recovered).join(',')).toBe(true);
    // total sign of new channel i relative to the original: flips[p[i]] * signs[i]
    const total = Array.from(result.permutation, (q, i) => flips[q]! * result.signs[i]!);
    // reversal maps mode k to (-1)^(k+1) mode k: the dominant k = 1 mode keeps one sign for all channels
    expect(total.every((s) => s === total[0])).toBe(true);
    expect(() => descrambleChannels(gram, { signed: true })).toThrow();
  });
});

describe('planted neuron permutations between two networks', () => {
  it('weight matching recovers the permutations between two noisy MLP copies; outputs agree to 1e-12', () => {
    const rng = createRng(10);
    const a: DenseLayer[] = [randomDense(rng, 16, 8), randomDense(rng, 12, 16), randomDense(rng, 10, 12), randomDense(rng, 4, 10)];
    const planted = [randomPermutation(rng, 16), randomPermutation(rng, 12), randomPermutation(rng, 10)];
    // b = a with hidden units scrambled, plus 2% noise on every weight
    const b = a.map((layer, l) => {
      let out = layer;
      if (l < planted.length) out = permuteDenseLayer(out, planted[l]!);
      if (l > 0) out = permuteDenseInputs(out, planted[l - 1]!);
      const weight = out.weight.clone();
      for (let i = 0; i < weight.rows; i++) for (let j = 0; j < weight.columns; j++) weight.set(i, j, weight.get(i, j) + 0.02 * rng.normal() / Math.sqrt(weight.columns));
      return { weight, bias: out.bias! };
    });
    const result = matchMlpWeights(a, b, { seed: 1 });
    expect(result.converged).toBe(true);
    result.permutations.forEach((p, l) => {
      // aligned unit i = b unit p[i] = a unit planted[p[i]]: must be i
      expect(Array.from(composePermutations(planted[l]!, p))).toEqual(Array.from({ length: p.length }, (_, i) => i));
    });
    for (const activation of ['relu', 'tanh'] as Activation[]) {
      for (let trial = 0; trial < 3; trial++) {
        const x = rng.normalArray(8);
        expect(maxRelativeDifference(mlpForward(b, x, activation), mlpForward(result.aligned, x, activation))).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('weight matching recovers planted channel and unit permutations between two noisy CNN copies', () => {
    const rng = createRng(11);
    const a = randomCnn(12, 8, 6);
    const p1 = randomPermutation(rng, 8);
    const p2 = randomPermutation(rng, 6);
    const p3 = randomPermutation(rng, 7);
    const jitter = (data: Float64Array): Float64Array => data.map((v) => v + 0.01 * rng.normal());
    const [c1, c2] = a.conv as [NonNullable<Cnn['conv'][0]>, NonNullable<Cnn['conv'][0]>];
    const [d1, d2] = a.dense as [DenseLayer, DenseLayer];
    const s1 = permuteConvLayer(c1, p1);
    const s2 = permuteConvLayer(permuteConvInputs(c2, p1), p2);
    const b: Cnn = {
      conv: [
        { weight: { shape: s1.weight.shape, data: jitter(s1.weight.data) }, bias: s1.bias!, batchNorm: permuteBatchNorm(c1.batchNorm!, p1) },
        { weight: { shape: s2.weight.shape, data: jitter(s2.weight.data) }, bias: s2.bias! },
      ],
      dense: [permuteDenseLayer(permuteFlattenedInputs(d1, p2, 4), p3), permuteDenseInputs(d2, p3)],
    };
    const result = matchCnnWeights(a, b, { seed: 3 });
    const planted = [p1, p2, p3];
    result.permutations.forEach((p, l) => {
      expect(Array.from(composePermutations(planted[l]!, p))).toEqual(Array.from({ length: p.length }, (_, i) => i));
    });
    const activations: Activation[] = ['relu', 'relu', 'relu'];
    for (let trial = 0; trial < 3; trial++) {
      const x = randomTensor(rng, [2, 6, 6]);
      expect(maxRelativeDifference(cnnForward(b, x, activations), cnnForward(result.aligned, x, activations))).toBeLessThanOrEqual(1e-12);
    }
  });
});
