import { describe, expect, it } from 'vitest';
import { expectFiguresRender, expectPartsFromClone, grid, holding } from '../../test/experiment-parts.js';
import { type BandpassData, bandpassChecks, bandpassFigures, computeBandpass } from './bandpass.js';

describe('computeBandpass (small run)', () => {
  const data = computeBandpass({ length: 16, hidden: 4, band: [2, 3], samples: 256, epochs: 2, seed: 3 });

  it('keeps input-axis energy under descrambling (an orthogonal P acts on rows only)', () => {
    // Each input-frequency column of the spectrum keeps its energy under P, so the pass-band share does too.
    expect(Math.abs(data.passBandFraction - data.rawPassBandFraction)).toBeLessThan(1e-12);
    expect(data.flatFraction).toBe((2 * 2) / 16);
    expect([data.firstLayer.rows, data.firstLayer.columns]).toEqual([4, 16]);
  });

  it('draws and checks a structured clone of its data exactly as the data', () => {
    expectPartsFromClone(data, bandpassFigures, bandpassChecks);
  });
});

describe('bandpassChecks and bandpassFigures on hand-made data', () => {
  const made = (overrides: Partial<BandpassData> = {}): BandpassData => ({
    parameters: { length: 8, hidden: 4, band: [1, 2], samples: 10, epochs: 1, noise: 0.3, seed: 0 },
    model: { inputShape: [8], layers: [], precision: 'float64' },
    firstLayer: grid(4, 8),
    descrambledFirstLayer: grid(4, 8, (i, j) => Math.cos(i + j)),
    spectrum: grid(4, 8, (i, j) => i + j),
    spectrumRaw: grid(4, 8, (i, j) => i * j),
    passBandFraction: 0.6,
    rawPassBandFraction: 0.6,
    flatFraction: 0.5,
    hiddenLowFraction: 0.8,
    hiddenLowFractionRaw: 0.5,
    testError: 0.1,
    identityError: 0.5,
    ...overrides,
  });

  it('needs twice the flat pass-band share, more low hidden-axis energy than raw, and a network better than the identity', () => {
    // 0.6 is above the flat share 0.5 but not twice it.
    expect(holding(bandpassChecks(made()))).toEqual([false, true, true]);
    expect(holding(bandpassChecks(made({ passBandFraction: 1.01, flatFraction: 0.5 })))).toEqual([true, true, true]);
    expect(holding(bandpassChecks(made({ passBandFraction: 0.9, flatFraction: 0.25, hiddenLowFraction: 0.4, testError: 0.6 })))).toEqual([true, false, false]);
  });

  it('builds its figures from the data alone, with the pass band shaded on both sides of zero', () => {
    const figures = bandpassFigures(made());
    expect(figures.map((f) => f.name)).toEqual(['weights', 'spectra']);
    expectFiguresRender(figures);
    const spectra = figures[1]!.figure;
    if (spectra.kind !== 'grid' || spectra.panels[0]!.kind !== 'heatmap') throw new Error('spectra are a grid of heatmaps');
    expect(spectra.panels[0]!.annotations).toEqual([
      { kind: 'band', axis: 'x', from: 1, to: 2, label: 'pass band' },
      { kind: 'band', axis: 'x', from: -2, to: -1 },
    ]);
    expect(spectra.panels[0]!.xRange).toEqual([-4, 3]);
  });
});
