import { readFileSync } from 'node:fs';
import { createRng } from '@descramble/linalg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deerDatasetSpec, generateDeerBatch } from '../deer/training-set.js';
import { InvalidArgumentError } from '../errors.js';
import { DEERNET_HELD_OUT_SEED } from './deernet-constants.js';
import { deerNetQuality } from './deernet-quality.js';
import { decodeBase64, loadDeerNet } from './load-deernet.js';

describe('decodeBase64', () => {
  it('inverts Node base64 for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(Array.from(decodeBase64(Buffer.from(bytes).toString('base64')))).toEqual(Array.from(bytes));
      }),
    );
  });

  it('rejects characters outside the alphabet', () => {
    expect(() => decodeBase64('ab$d')).toThrow(InvalidArgumentError);
  });
});

describe('loadDeerNet', () => {
  const net = loadDeerNet();

  it('decodes the shipped safetensors: 256 -> 80 tanh -> 256 logistic, float32 values', () => {
    const file = new Uint8Array(readFileSync(new URL('./deernet.safetensors', import.meta.url)));
    expect(net.safetensors).toEqual(file);
    expect([net.firstWeights.rows, net.firstWeights.columns]).toEqual([80, 256]);
    expect([net.secondWeights.rows, net.secondWeights.columns]).toEqual([256, 80]);
    expect(net.model.layers.map((layer) => (layer.kind === 'activation' ? layer.activation : layer.kind))).toEqual(['dense', 'tanh', 'dense', 'logistic']);
    expect(net.firstWeights.to1DArray().every((v) => Math.fround(v) === v)).toBe(true);
    expect(net.card.data.timePoints).toBe(256);
    expect(net.card.data.peakHeight).toBe(0.75);
  });

  it('reaches its recorded held-out error on a fresh seeded sample', () => {
    const spec = deerDatasetSpec();
    const traces = 400;
    const seed = DEERNET_HELD_OUT_SEED + 1;
    const quality = deerNetQuality(net.model, spec, generateDeerBatch(spec, createRng(seed), traces));
    const recorded = net.card.heldOutError;
    // Per-trace mean absolute errors are i.i.d. with standard deviation sigma (recorded on the
    // held-out sample); the two sample means differ by N(0, sigma^2 (1/400 + 1/4000)): allow 4
    // standard errors (two-sided false-alarm probability 6e-5).
    const sigma = recorded.perTraceMeanAbsoluteErrorStd;
    const tolerance = 4 * sigma * Math.sqrt(1 / traces + 1 / recorded.traces);
    expect(Math.abs(quality.meanAbsoluteError - recorded.meanAbsoluteError)).toBeLessThan(tolerance);
    // Mean-distance error in nm: the same order as recorded (heavier tails, so a loose factor).
    expect(quality.meanDistanceError).toBeLessThan(1.5 * recorded.meanDistanceError);
    expect(quality.meanDistanceError).toBeGreaterThan(recorded.meanDistanceError / 1.5);
  });

  it('is far better than predicting the mean distribution', () => {
    const spec = deerDatasetSpec();
    const batch = generateDeerBatch(spec, createRng(7), 200);
    const quality = deerNetQuality(net.model, spec, batch);
    // Baseline: the same output (the average target) for every trace.
    const nr = spec.distances.length;
    const mean = new Float64Array(nr);
    for (let n = 0; n < batch.count; n++) for (let j = 0; j < nr; j++) mean[j] = (mean[j] as number) + (batch.targets[n * nr + j] as number) / batch.count;
    let baseline = 0;
    for (let n = 0; n < batch.count; n++) for (let j = 0; j < nr; j++) baseline += Math.abs((batch.targets[n * nr + j] as number) - (mean[j] as number));
    baseline /= batch.count * nr;
    expect(quality.meanAbsoluteError).toBeLessThan(0.75 * baseline);
  });
});
