import { createRng } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { distanceRange } from './grids.js';
import { deerBatches, deerDatasetSpec, distanceDistribution, generateDeerBatch } from './training-set.js';

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Tolerance of five standard errors for the mean of `count` draws with standard deviation `sd`. */
function fiveStandardErrors(sd: number, count: number): number {
  return (5 * sd) / Math.sqrt(count);
}

describe('Spinach training set', () => {
  const spec = deerDatasetSpec();
  const draws = 10_000;
  const batch = generateDeerBatch(spec, createRng(2021), draws);
  const { rMin, rMax } = distanceRange(2, 256);

  it('draws its parameters from the documented distributions (1e4 traces)', () => {
    const peaks = batch.parameters.map((p) => p.peaks);
    expect(Math.min(...peaks)).toBe(1);
    expect(Math.max(...peaks)).toBe(4);
    expect(Math.abs(mean(peaks) - 2.5)).toBeLessThan(fiveStandardErrors(Math.sqrt(15 / 12), draws));

    const centres = batch.parameters.flatMap((p) => p.centres);
    const u = centres.map((c) => (c - rMin) / (rMax - rMin));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThanOrEqual(1);
    // Triangular density 2 (1 - u): mean 1/3, variance 1/18.
    expect(Math.abs(mean(u) - 1 / 3)).toBeLessThan(fiveStandardErrors(Math.sqrt(1 / 18), u.length));

    for (const p of batch.parameters) {
      for (let k = 0; k < p.peaks; k++) {
        const width = p.widths[k] as number;
        expect(width).toBeGreaterThanOrEqual(0.025 * (p.centres[k] as number) - 1e-12);
        expect(width).toBeLessThanOrEqual(0.5 * (rMax - rMin) + 1e-12);
      }
    }

    const uniforms: Array<[number[], number, number]> = [
      [batch.parameters.map((p) => p.modulationDepth), 0.01, 1],
      [batch.parameters.map((p) => p.backgroundDimension), 2, 3.5],
      [batch.parameters.map((p) => p.backgroundRate), 0, 0.5e6],
      [batch.parameters.map((p) => p.noiseStandardDeviation / p.modulationDepth), 0, 0.05],
    ];
    for (const [values, low, high] of uniforms) {
      expect(Math.min(...values)).toBeGreaterThanOrEqual(low);
      expect(Math.max(...values)).toBeLessThanOrEqual(high);
      const sd = (high - low) / Math.sqrt(12);
      expect(Math.abs(mean(values) - (low + high) / 2)).toBeLessThan(fiveStandardErrors(sd, values.length));
    }
  });

  it('normalises every noisy trace to [0, 1] and every target to peak height 0.75', () => {
    for (let n = 0; n < draws; n += 97) {
      const trace = batch.inputs.subarray(n * 256, (n + 1) * 256);
      expect(Math.min(...trace)).toBe(0);
      expect(Math.abs(Math.max(...trace) - 1)).toBeLessThan(1e-12);
      const target = batch.targets.subarray(n * 256, (n + 1) * 256);
      expect(Math.abs(Math.max(...target) - 0.75)).toBeLessThan(1e-12);
      expect(Math.min(...target)).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives the same traces for the same seed whatever the batch size', () => {
    const whole = generateDeerBatch(spec, createRng(7), 30);
    const pieces = [...deerBatches(spec, createRng(7), 30, 7)];
    expect(pieces.map((p) => p.count)).toEqual([7, 7, 7, 7, 2]);
    const joined = new Float64Array(30 * 256);
    let offset = 0;
    for (const piece of pieces) {
      joined.set(piece.inputs, offset);
      offset += piece.inputs.length;
    }
    expect(joined).toEqual(whole.inputs);
  });
});

describe('distanceDistribution', () => {
  it('sums to one and puts a single narrow Gaussian at its centre', () => {
    const spec = deerDatasetSpec({ distancePoints: 101 });
    const p = distanceDistribution(spec.distances, {
      peaks: 1,
      centres: [spec.distances[40] as number],
      widths: [0.2],
      amplitudes: [0.5],
      skewness: [0],
      modulationDepth: 0.5,
      backgroundRate: 0,
      backgroundDimension: 3,
      noiseStandardDeviation: 0,
    });
    expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-14);
    expect(p.indexOf(Math.max(...p))).toBe(40);
  });

  it('skews a skew-normal peak towards the sign of its skewness (2018 variant)', () => {
    const spec = deerDatasetSpec({ variant: '2018', distancePoints: 201 });
    const base = {
      peaks: 1,
      centres: [3.25],
      widths: [0.5],
      amplitudes: [1],
      modulationDepth: 0.3,
      backgroundRate: 0,
      backgroundDimension: 3,
      noiseStandardDeviation: 0,
    };
    const meanOf = (p: Float64Array) => p.reduce((s, v, j) => s + v * (spec.distances[j] as number), 0);
    expect(meanOf(distanceDistribution(spec.distances, { ...base, skewness: [3] }))).toBeGreaterThan(3.3);
    expect(meanOf(distanceDistribution(spec.distances, { ...base, skewness: [-3] }))).toBeLessThan(3.2);
  });
});

describe('2018 training set', () => {
  it('scales each trace so the first point is 1 and the last 0, on 1.5-5.0 nm', () => {
    const spec = deerDatasetSpec({ variant: '2018' });
    expect(spec.distances[0]).toBe(1.5);
    expect(spec.distances[255]).toBe(5);
    const batch = generateDeerBatch(spec, createRng(3), 200);
    for (let n = 0; n < 200; n++) {
      expect(Math.abs((batch.inputs[n * 256] as number) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(batch.inputs[n * 256 + 255] as number)).toBeLessThan(1e-12);
      expect(batch.parameters[n]?.peaks).toBeLessThanOrEqual(3);
      expect(batch.parameters[n]?.modulationDepth).toBeGreaterThanOrEqual(0.1);
      expect(batch.parameters[n]?.modulationDepth).toBeLessThanOrEqual(0.6);
    }
  });
});
