/**
 * The band-pass view: a network trained in the worker by @descramble/experiments' `bandpass`
 * (64 -> 32 tanh -> 64, noisy sums of sinusoids in, the in-band ones out), its first layer
 * descrambled with fresh signals of the same distribution.
 */
import { createRng } from '@descramble/linalg';
import { bandEnergyFraction, weightSpectrum } from '@descramble/spectral';
import type { ExtraPayload, TourParams } from '../protocol.js';
import type { LayerSource, TourExact } from './tour.js';
import { fromWire } from './wire.js';

/** Signal length, pass band (cycles per signal), noise and training-set size of the view. */
export const BANDPASS_LENGTH = 64;
export const BANDPASS_BAND: readonly [number, number] = [6, 12];
export const BANDPASS_NOISE = 0.3;
export const BANDPASS_TRAINING_SIGNALS = 1000;

/**
 * `rows` signals of the experiment's distribution: 4 sinusoids at random integer frequencies
 * 1..n/2-1 with amplitudes in [0.5, 1] and random phases, plus Gaussian noise.
 */
export function bandpassSignals(rows: number, n: number, noise: number, rng: ReturnType<typeof createRng>): Float64Array {
  const out = new Float64Array(rows * n);
  for (let s = 0; s < rows; s++) {
    for (let c = 0; c < 4; c++) {
      const frequency = 1 + Math.floor(rng.uniform() * (n / 2 - 1));
      const amplitude = 0.5 + 0.5 * rng.uniform();
      const phase = 2 * Math.PI * rng.uniform();
      for (let t = 0; t < n; t++) out[s * n + t] = out[s * n + t]! + amplitude * Math.sin((2 * Math.PI * frequency * t) / n + phase);
    }
    for (let t = 0; t < n; t++) out[s * n + t] = out[s * n + t]! + noise * rng.normal();
  }
  return out;
}

export interface BandpassContext {
  readonly source: LayerSource;
  readonly testError: number;
  readonly identityError: number;
}

export async function bandpassContext(params: TourParams): Promise<BandpassContext> {
  const { bandpass } = await import('../formats/experiments.js');
  const trained = bandpass({
    length: BANDPASS_LENGTH,
    band: BANDPASS_BAND,
    noise: BANDPASS_NOISE,
    samples: BANDPASS_TRAINING_SIGNALS,
    epochs: Math.max(1, params.epochs),
    seed: params.seed,
  });
  const blockRows = 512;
  return {
    testError: trained.data.testError,
    identityError: trained.data.identityError,
    source: {
      weights: fromWire(trained.data.firstLayer),
      dataLabel: 'band-pass signals',
      isotropic: false,
      symmetrise: false,
      *blocks(samples, onBlock) {
        const rng = createRng(params.seed + 7919);
        for (let start = 0; start < samples; start += blockRows) {
          const rows = Math.min(blockRows, samples - start);
          yield bandpassSignals(rows, BANDPASS_LENGTH, BANDPASS_NOISE, rng);
          onBlock(start + rows);
        }
      },
    },
  };
}

/** Pass-band share, hidden-axis concentration and the network's test error. */
export function bandpassExtra(context: BandpassContext, tour: TourExact): ExtraPayload {
  const spectrum = weightSpectrum(tour.descrambledWeights);
  const raw = weightSpectrum(tour.weights);
  const [low, high] = BANDPASS_BAND;
  const passBand = bandEnergyFraction(spectrum, 1, high) - bandEnergyFraction(spectrum, 1, low - 1);
  const flat = (2 * (high - low + 1)) / BANDPASS_LENGTH;
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  return {
    heading: 'What the descrambled band-pass network shows',
    figures: [],
    facts: [
      [`Energy at input frequencies ${low}..${high} (pass band)`, `${percent(passBand)} (a flat spectrum: ${percent(flat)})`],
      [
        'Energy at hidden-axis frequencies |k| ≤ 2',
        `${percent(bandEnergyFraction(spectrum, 0, 2))} descrambled, ${percent(bandEnergyFraction(raw, 0, 2))} raw`,
      ],
      ['Relative test error of the network', `${context.testError.toFixed(3)} (output = input: ${context.identityError.toFixed(3)})`],
    ],
  };
}
