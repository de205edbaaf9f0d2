import { createRng, secondDerivative } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { randomPermutation } from '../test/networks.js';
import { channelGram, descrambleChannels, smoothnessMatrix, unitGram } from './channel-descrambling.js';
import { DimensionMismatchError, InvalidArgumentError } from './errors.js';
import { permuteVector } from './permute-layers.js';

describe('channel Gram matrices', () => {
  it('channelGram sums <s_i, s_j> over samples and positions; unitGram is S S^T', () => {
    const rng = createRng(1);
    const [n, c, h, w] = [3, 4, 2, 5];
    const data = rng.normalArray(n * c * h * w);
    const gram = channelGram({ shape: [n, c, h, w], data });
    for (let i = 0; i < c; i++) {
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) for (let t = 0; t < h * w; t++) s += data[(k * c + i) * h * w + t]! * data[(k * c + j) * h * w + t]!;
        expect(gram.get(i, j)).toBeCloseTo(s, 12);
      }
    }
    const units = new Matrix(5, 7).apply(function (this: Matrix, i: number, j: number) {
      this.set(i, j, Math.sin(i + 2 * j));
    });
    const b = unitGram(units);
    const direct = units.mmul(units.transpose());
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(b.get(i, j)).toBeCloseTo(direct.get(i, j), 12);
    expect(() => channelGram({ shape: [3], data: new Float64Array(3) })).toThrow(DimensionMismatchError);
  });

  it('smoothnessMatrix is D^T D', () => {
    const d = secondDerivative(6, 'dirichlet');
    const a = smoothnessMatrix(6, 'dirichlet');
    expect(a.sub(d.transpose().mmul(d)).norm()).toBe(0);
  });
});

describe('descrambleChannels', () => {
  it('sorts hidden units whose preactivations are a smooth function of the unit index (dense layer, proved optimal)', () => {
    const rng = createRng(3);
    const d = 8;
    const samples = 40;
    // unit i responds like sin(pi (i + 1) / (d + 1)) u + sin(2 pi (i + 1) / (d + 1)) v / 4
    const u = rng.normalArray(samples);
    const v = rng.normalArray(samples);
    const s = new Matrix(d, samples);
    for (let i = 0; i < d; i++) {
      const w1 = Math.sin((Math.PI * (i + 1)) / (d + 1));
      const w2 = Math.sin((2 * Math.PI * (i + 1)) / (d + 1)) / 4;
      for (let k = 0; k < samples; k++) s.set(i, k, w1 * u[k]! + w2 * v[k]!);
    }
    const scramble = randomPermutation(rng, d);
    const scrambled = new Matrix(d, samples);
    for (let i = 0; i < d; i++) scrambled.setRow(i, s.getRow(scramble[i]!));
    const result = descrambleChannels(unitGram(scrambled), { operator: 'dirichlet' });
    const recovered = permuteVector(scramble, result.permutation);
    const forward = Array.from({ length: d }, (_, i) => i);
    expect([forward.join(','), forward.reverse().join(',')]).toContain(Array.from(recovered).join(','));
    expect(result.assignment.proved).toBe(true);
    expect(result.lowerBound).toBeLessThanOrEqual(result.value + 1e-9);
  });

  it('a signed solution is never worse than the unsigned one and its bound is the eigenvalue bound', () => {
    const rng = createRng(4);
    const c = 9;
    const g = new Matrix(c, 20).apply(function (this: Matrix, i: number, j: number) {
      this.set(i, j, rng.normal());
    });
    const gram = g.mmul(g.transpose());
    const plain = descrambleChannels(gram, { operator: 'periodic' });
    const signed = descrambleChannels(gram, { operator: 'periodic', signed: true, activation: 'odd' });
    expect(signed.value).toBeLessThanOrEqual(plain.value + 1e-9 * Math.abs(plain.value));
    expect(signed.lowerBound).toBeLessThanOrEqual(signed.value);
    expect(signed.signs.every((x) => x === 1 || x === -1)).toBe(true);
  });

  it('rejects signs without an odd activation and mismatched operators', () => {
    const gram = Matrix.eye(4);
    expect(() => descrambleChannels(gram, { signed: true, activation: 'other' })).toThrow(InvalidArgumentError);
    expect(() => descrambleChannels(gram, { operator: Matrix.eye(3) })).toThrow(DimensionMismatchError);
  });
});
