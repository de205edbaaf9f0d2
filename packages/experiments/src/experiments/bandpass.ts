import { descrambleLayer } from '@descramble/descramblers';
import { createRng, fromFloat64Array, multiplyTransposeBFlat, toFloat64Array } from '@descramble/linalg';
import { createMlp, type SequentialModel, trainMlp } from '@descramble/nets';
import { bandEnergyFraction, weightSpectrum } from '@descramble/spectral';
import type { Matrix } from 'ml-matrix';
import { check, type ExperimentFigure, type ExperimentResult, formatPercent, secondsSince } from './experiment.js';
import { MalformedModelError } from '../errors.js';

export interface BandpassOptions {
  /** Samples per signal. Default 64. */
  readonly length?: number;
  /** Hidden neurons. Default 32. */
  readonly hidden?: number;
  /** Pass band [low, high] in cycles per signal (inclusive). Default [6, 12]. */
  readonly band?: readonly [number, number];
  /** Training signals. Default 4000. */
  readonly samples?: number;
  /** Adam epochs. Default 30. */
  readonly epochs?: number;
  /** Noise standard deviation. Default 0.3. */
  readonly noise?: number;
  readonly seed?: number;
  /** Aborts between phases (and solver iterations, training epochs): throws the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface BandpassData {
  readonly model: SequentialModel;
  readonly firstLayer: Matrix;
  readonly descrambledFirstLayer: Matrix;
  /** Centred |DFT| of P W1 (hidden x input frequencies). */
  readonly spectrum: Matrix;
  readonly spectrumRaw: Matrix;
  /** Share of the descrambled weights' energy at input frequencies inside the pass band. */
  readonly passBandFraction: number;
  /** The same share for the raw W1: equal, since an orthogonal P on the rows keeps every input-frequency column's energy. */
  readonly rawPassBandFraction: number;
  /** The share the pass band would hold for a flat spectrum. */
  readonly flatFraction: number;
  /** Hidden-axis energy at |k| <= 2 of the descrambled and of the raw weights. */
  readonly hiddenLowFraction: number;
  readonly hiddenLowFractionRaw: number;
  /** Relative test error of the trained network and of the identity map (noisy input as output). */
  readonly testError: number;
  readonly identityError: number;
}

interface Signals {
  readonly inputs: Float64Array;
  readonly targets: Float64Array;
}

/** Sums of 4 sinusoids at random integer frequencies 1..n/2-1; targets keep those in the band. */
function bandpassSignals(count: number, n: number, band: readonly [number, number], noise: number, seed: number): Signals {
  const rng = createRng(seed);
  const inputs = new Float64Array(count * n);
  const targets = new Float64Array(count * n);
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < 4; c++) {
      const frequency = 1 + Math.floor(rng.uniform() * (n / 2 - 1));
      const amplitude = 0.5 + 0.5 * rng.uniform();
      const phase = 2 * Math.PI * rng.uniform();
      const inBand = frequency >= band[0] && frequency <= band[1];
      for (let t = 0; t < n; t++) {
        const value = amplitude * Math.sin((2 * Math.PI * frequency * t) / n + phase);
        inputs[s * n + t] = (inputs[s * n + t] as number) + value;
        if (inBand) targets[s * n + t] = (targets[s * n + t] as number) + value;
      }
    }
    for (let t = 0; t < n; t++) inputs[s * n + t] = (inputs[s * n + t] as number) + noise * rng.normal();
  }
  return { inputs, targets };
}

function denseWeights(model: SequentialModel, index: number): Matrix {
  const layer = model.layers.filter((l) => l.kind === 'dense')[index];
  if (layer?.kind !== 'dense') throw new MalformedModelError('bandpass', `the model has no dense layer ${index}`);
  const [rows, columns] = layer.weight.shape as [number, number];
  return fromFloat64Array(layer.weight.data, rows, columns);
}

/**
 * A network trained to band-pass noisy sinusoids (n -> hidden tanh -> n). Descrambling its
 * first layer and taking the centred 2-D DFT shows the pass band along the input axis and
 * concentrates the energy at low hidden-axis frequencies.
 */
export function bandpass(options: BandpassOptions = {}): ExperimentResult<BandpassData> {
  const started = performance.now();
  options.signal?.throwIfAborted();
  const n = options.length ?? 64;
  const hidden = options.hidden ?? 32;
  const band = options.band ?? [6, 12];
  const samples = options.samples ?? 4000;
  const epochs = options.epochs ?? 30;
  const noise = options.noise ?? 0.3;
  const seed = options.seed ?? 11;
  const training = bandpassSignals(samples, n, band, noise, seed);
  const testCount = 1000;
  const test = bandpassSignals(testCount, n, band, noise, seed + 1);
  const initial = createMlp({ sizes: [n, hidden, n], activation: 'tanh', seed, bias: false });
  const trained = trainMlp(initial, {
    inputs: { shape: [samples, n], data: training.inputs },
    targets: { shape: [samples, n], data: training.targets },
    optimizer: { kind: 'adam', learningRate: 3e-3 },
    epochs,
    batchSize: 64,
    seed,
    onEpoch: () => {
      options.signal?.throwIfAborted();
      return undefined;
    },
  });
  options.signal?.throwIfAborted();
  const model = trained.model;
  // Test error relative to the target energy, against the trivial "output = input".
  const w1 = denseWeights(model, 0);
  const w2 = denseWeights(model, 1);
  // Hidden activations tanh(X W1^T) and outputs H W2^T, one test signal per row.
  const activations = multiplyTransposeBFlat(test.inputs, toFloat64Array(w1), testCount, n, hidden).map(Math.tanh);
  const outputs = multiplyTransposeBFlat(activations, toFloat64Array(w2), testCount, hidden, n);
  let error = 0;
  let identity = 0;
  let energy = 0;
  for (let e = 0; e < testCount * n; e++) {
    const target = test.targets[e] as number;
    error += ((outputs[e] as number) - target) ** 2;
    identity += ((test.inputs[e] as number) - target) ** 2;
    energy += target * target;
  }
  const data = fromFloat64Array(training.inputs, samples, n);
  const descrambled = descrambleLayer({ weights: w1, data });
  const spectrum = weightSpectrum(descrambled.descrambledWeights);
  const raw = weightSpectrum(w1);
  const inside = (s: typeof spectrum) => bandEnergyFraction(s, 1, band[1]) - bandEnergyFraction(s, 1, band[0] - 1);
  const passBandFraction = inside(spectrum);
  const rawPassBandFraction = inside(raw);
  const flatFraction = (2 * (band[1] - band[0] + 1)) / n;
  const hiddenLowFraction = bandEnergyFraction(spectrum, 0, 2);
  const hiddenLowFractionRaw = bandEnergyFraction(raw, 0, 2);
  const half = n / 2;
  const hiddenHalf = hidden / 2;
  const annotations = [
    { kind: 'band' as const, axis: 'x' as const, from: band[0], to: band[1], label: 'pass band' },
    { kind: 'band' as const, axis: 'x' as const, from: -band[1], to: -band[0] },
  ];
  const figures: ExperimentFigure[] = [
    {
      name: 'weights',
      caption: `First layer of the band-pass network as trained (left) and descrambled (right).`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 700,
        height: 300,
        panels: [
          { kind: 'heatmap', title: 'W1', values: w1, colourMap: 'diverging', xLabel: 'input sample', yLabel: 'neuron' },
          { kind: 'heatmap', title: 'P W1', values: descrambled.descrambledWeights, colourMap: 'diverging', xLabel: 'input sample', yLabel: 'descrambled neuron' },
        ],
      },
    },
    {
      name: 'spectra',
      caption: `Centred |2-D DFT| of W1 (left) and of P W1 (right); shaded: the pass band ${band[0]}..${band[1]} cycles. ${formatPercent(passBandFraction)} of the energy lies in the band (a flat spectrum would put ${formatPercent(flatFraction)} there).`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 760,
        height: 320,
        panels: [
          { kind: 'heatmap', title: '|DFT(W1)|', values: raw.magnitude, xRange: [-half, half - 1], yRange: [-hiddenHalf, hiddenHalf - 1], xLabel: 'input frequency', yLabel: 'hidden frequency', annotations },
          { kind: 'heatmap', title: '|DFT(P W1)|', values: spectrum.magnitude, xRange: [-half, half - 1], yRange: [-hiddenHalf, hiddenHalf - 1], xLabel: 'input frequency', yLabel: 'hidden frequency', annotations },
        ],
      },
    },
  ];
  const checks = [
    check(
      `The descrambled weights' spectrum shows the pass band: > 2x the flat share of energy at input frequencies ${band[0]}..${band[1]}`,
      'The premise of descrambling (Amey et al. 2021; docs/theory.md §1): a descrambled layer shows what it computes; for a band-pass task, the pass band',
      passBandFraction,
      (value) => value > 2 * flatFraction,
      (value) => `${formatPercent(value)} (flat ${formatPercent(flatFraction)}; raw W1 ${formatPercent(rawPassBandFraction)}: P never changes input-axis energy)`,
    ),
    check(
      'Descrambling concentrates energy at low hidden-axis frequencies (|k| <= 2): descrambled share above the raw share',
      'docs/theory.md §1: the smoothness criterion makes P S smooth along the neuron axis',
      hiddenLowFraction,
      (value) => value > hiddenLowFractionRaw,
      (value) => `${formatPercent(value)} (raw ${formatPercent(hiddenLowFractionRaw)})`,
    ),
    check(
      'The network band-passes: test error below that of passing the input through',
      'Set-up check (not a paper claim)',
      error / energy,
      (value) => value < identity / energy,
      (value) => `${formatPercent(value)} of the target energy (identity ${formatPercent(identity / energy)})`,
    ),
  ];
  return {
    name: 'bandpass',
    title: 'A band-pass network',
    setup: `Signals of ${n} samples, each a sum of 4 sinusoids at random integer frequencies 1..${n / 2 - 1} with amplitudes 0.5..1, plus white noise (σ = ${noise}); target: the components in ${band[0]}..${band[1]} cycles. Network ${n} -> ${hidden} tanh -> ${n} (no biases), Adam (3e-3, batch 64, ${epochs} epochs) on ${samples} signals, seed ${seed}. Layer 1 descrambled with the training inputs (Fourier smoothness).`,
    data: {
      model,
      firstLayer: w1,
      descrambledFirstLayer: descrambled.descrambledWeights,
      spectrum: spectrum.magnitude,
      spectrumRaw: raw.magnitude,
      passBandFraction,
      rawPassBandFraction,
      flatFraction,
      hiddenLowFraction,
      hiddenLowFractionRaw,
      testError: error / energy,
      identityError: identity / energy,
    },
    figures,
    checks,
    seconds: secondsSince(started),
  };
}
