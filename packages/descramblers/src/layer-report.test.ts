import { brockettCertificate } from '@descramble/orthogonal';
import { randomOrthogonal } from '@descramble/linalg';
import { notchDepth, weightSpectrum } from '@descramble/spectral';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createRng, gaussianMatrix } from '../test/helpers.js';
import { descramble, layerReport } from './layer-report.js';

describe('descramble: one layer descrambled and reported as plain data', () => {
  const rng = createRng(7);
  const weights = gaussianMatrix(rng, 12, 20);
  const data = gaussianMatrix(rng, 300, 20);
  const layer = { name: 'fc1', file: 'model.onnx', tensor: 'fc1.weight', source: 'data' as const, bias: 'exclude' as const, weights, data };

  it('reports the exact descrambler: the Lemma 1 optimum, a gap of 0 within roundoff, its ties and spectrum', () => {
    const { result, report } = descramble(layer);
    expect(report.name).toBe('fc1');
    expect(report.weights).toEqual({ file: 'model.onnx', tensor: 'fc1.weight', shape: [12, 20] });
    expect(report.strategy).toBe('exact');
    expect(report.sampleCount).toBe(300);
    expect(report.value).toBe(result.value);
    expect(report.optimum).toBe(result.optimum);
    expect(report.gap).toBe(0);
    expect(report.withinRoundoff).toBe(true);
    expect(Math.abs(report.absoluteGap)).toBeLessThanOrEqual(report.gapRoundoff);
    // Fourier A on 12 points: 5 cos/sin pairs are tied exactly, one free angle each.
    expect(report.exactFamilyDimension).toBe(5);
    expect(report.ties.a.every((t) => t.reason === 'roundoff')).toBe(true);
    expect(report.spectrum.notchDepthDb).toBe(notchDepth(weightSpectrum(result.descrambledWeights)).depthDb);
    expect(report.spectrum.notchConvention).toMatch(/positive when the zero-frequency line is weaker/);
    // Plain data: JSON round-trips it exactly.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.timings.descramblerSeconds).toBeGreaterThanOrEqual(0);
  });

  it('reports another descrambler against the exact optimum: a random rotation has a positive gap', () => {
    const { result } = descramble(layer);
    const p = randomOrthogonal(12, createRng(3));
    const certificate = brockettCertificate(result.smoothness, result.gram, p);
    const report = layerReport(result, weights, { ...layer, operator: 'fourier', rescale: false }, {
      strategy: 'random',
      group: 'orthogonal',
      value: certificate.value,
      gap: certificate,
      descrambledWeights: p.mmul(weights),
      solver: { kind: 'test' },
    });
    expect(report.strategy).toBe('random');
    expect(report.gap).toBeGreaterThan(0.01);
    expect(report.withinRoundoff).toBe(false);
    expect(report.gap).toBeCloseTo((certificate.value - result.optimum) / Math.abs(result.optimum), 12);
    expect(report.solver).toEqual({ kind: 'test' });
    expect(report.spectrum.notchDepthDb).toBe(notchDepth(weightSpectrum(p.mmul(weights))).depthDb);
  });

  it('names the layer in its errors', () => {
    expect(() => descramble({ ...layer, weights: new Matrix(12, 20) })).toThrow(/layer fc1 of model\.onnx/);
  });

  it('a layer with one input has no notch: the report says why instead of failing', () => {
    const narrow = gaussianMatrix(createRng(3), 6, 1);
    const { report } = descramble({ ...layer, weights: narrow, data: gaussianMatrix(createRng(4), 50, 1) });
    expect(report.spectrum.notchDepthDb).toBeNull();
    expect(report.spectrum.notchUndefined).toMatch(/frequency other than 0/);
    expect(report.gap).toBe(0);
  });
});
