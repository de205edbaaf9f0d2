import { createRng, multiplyFlat, type Rng, toFloat64Array } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { descrambleLayer, descramblerDistance, largeDataDescrambler, type RowBlock } from '../src/index.js';
import { randomOrthogonal } from './helpers.js';

// Theorem 1: B / N -> W Gamma W^T, and the descrambler converges to the large-data one with
// error ~ ||B/N - W Gamma W^T|| / eigengap ~ N^{-1/2}. Small d, Dirichlet A (distinct
// eigenvalues: the distance is not degenerate), a well-separated spectrum of W Gamma W^T.
const d = 8;
const inputs = 8;

/**
 * Samples x = L z in blocks of rows (never all in memory), z with independent Rademacher
 * (+-1) entries: E[z z^T] = I, so E[x x^T] = L L^T exactly, and signs are cheap to draw.
 */
function* samples(rng: Rng, l: Matrix, count: number, blockRows = 8192): Generator<RowBlock> {
  const lt = toFloat64Array(l.transpose());
  for (let start = 0; start < count; start += blockRows) {
    const rows = Math.min(blockRows, count - start);
    const z = new Float64Array(rows * inputs);
    for (let k = 0; k < z.length; k += 32) {
      const bits = rng.uint32();
      for (let b = 0; b < 32 && k + b < z.length; b++) z[k + b] = (bits >>> b) & 1 ? 1 : -1;
    }
    yield multiplyFlat(z, lt, rows, inputs, inputs); // rows are (L z)^T = z^T L^T
  }
}

describe('Theorem 1 (large-data limit)', () => {
  it('descramblerDistance to largeDataDescrambler falls like N^{-1/2}', () => {
    const rng = createRng(2026);
    // Gamma = L L^T with eigenvalues 1..8 spread out; W orthogonal times a diagonal, so that
    // W Gamma W^T has a well-separated spectrum.
    const q = randomOrthogonal(inputs, rng);
    const l = new Matrix(inputs, inputs);
    for (let i = 0; i < inputs; i++) for (let j = 0; j < inputs; j++) l.set(i, j, q.get(i, j) * Math.sqrt(1 + j));
    const gamma = l.mmul(l.transpose());
    const w = randomOrthogonal(d, rng).mmul(Matrix.diag(Array.from({ length: d }, (_, i) => 1 + 0.6 * i)));
    const limit = largeDataDescrambler(w, gamma, { operator: 'dirichlet' });
    const lambda = limit.gramEigenvalues;
    for (let i = 0; i + 1 < d; i++) expect((lambda[i]! - lambda[i + 1]!) / lambda[0]!).toBeGreaterThan(1e-3);
    expect(limit.familyDimension).toBe(0);

    const sizes = [1e3, 1e4, 1e5, 1e6];
    const replicates = 3;
    const logDistances = sizes.map((n) => {
      let sum = 0;
      for (let r = 0; r < replicates; r++) {
        const layer = descrambleLayer({ weights: w, data: samples(rng, l, n), operator: 'dirichlet' });
        expect(layer.sampleCount).toBe(n);
        sum += Math.log(descramblerDistance(layer.P, limit.P, limit.smoothness));
      }
      return sum / replicates;
    });
    // Least-squares slope of log distance against log N.
    const xs = sizes.map(Math.log);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = logDistances.reduce((a, b) => a + b, 0) / xs.length;
    let num = 0;
    let den = 0;
    xs.forEach((x, i) => {
      num += (x - mx) * (logDistances[i]! - my);
      den += (x - mx) ** 2;
    });
    const slope = num / den;
    expect(slope).toBeGreaterThan(-0.65);
    expect(slope).toBeLessThan(-0.35);
    // And it is actually converging: at N = 1e6 the descramblers nearly agree.
    expect(Math.exp(logDistances[3]!)).toBeLessThan(0.05);
  });
});
