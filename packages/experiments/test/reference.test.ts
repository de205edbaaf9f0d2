import { readFileSync } from 'node:fs';
import { forward } from '@descramble/nets';
import { describe, expect, it } from 'vitest';
import { DIPOLAR_CONSTANT_FREE_ELECTRON, dipolarKernel, linspace, loadDeerNet } from '../src/index.js';

interface Reference {
  readonly dipolarConstant: number;
  readonly kernel: { readonly times: number[]; readonly distances: number[]; readonly values: number[][] };
  readonly deernet: { readonly traces: { frequency: number; decay: number }[]; readonly outputs: number[][] };
}

// Written by tooling/fixtures/experiments/make_fixtures.py (numpy/scipy).
const reference = JSON.parse(readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8')) as Reference;

describe('reference values from numpy/scipy', () => {
  it('matches scipy.special.fresnel closed-form kernel values to 1e-12', () => {
    expect(reference.dipolarConstant).toBe(DIPOLAR_CONSTANT_FREE_ELECTRON);
    reference.kernel.times.forEach((t, i) => {
      reference.kernel.distances.forEach((r, j) => {
        expect(Math.abs(dipolarKernel(t, r) - (reference.kernel.values[i]?.[j] as number))).toBeLessThan(1e-12);
      });
    });
  });

  it('gives the forward pass numpy computes from the shipped safetensors (float64, ~1e-12)', () => {
    const net = loadDeerNet();
    const t = linspace(0, 2, 256);
    const traces = reference.deernet.traces;
    const inputs = new Float64Array(traces.length * 256);
    traces.forEach(({ frequency, decay }, k) => {
      for (let i = 0; i < 256; i++) inputs[k * 256 + i] = 0.5 + 0.5 * Math.cos(2 * Math.PI * frequency * (t[i] as number)) * Math.exp(-(t[i] as number) / decay);
    });
    const output = forward(net.model, { shape: [traces.length, 256], data: inputs }).data;
    // Sums of 256 and 80 products in a different order: roundoff ~ 1e-14 relative; logistic outputs are O(1).
    traces.forEach((_, k) => {
      for (let j = 0; j < 256; j++) expect(Math.abs((output[k * 256 + j] as number) - (reference.deernet.outputs[k]?.[j] as number))).toBeLessThan(1e-11);
    });
  });
});
