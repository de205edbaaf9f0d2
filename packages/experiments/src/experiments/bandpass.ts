import { descrambleLayer } from '@descramble/descramblers';
import { createRng, fromFloat64Array, multiplyTransposeBFlat, toFloat64Array } from '@descramble/linalg';
import { createMlp, type SequentialModel, trainMlp } from '@descramble/nets';
import { bandEnergyFraction, weightSpectrum } from '@descramble/spectral';
import type { Matrix } from 'ml-matrix';
import { check, composeExperiment, type ExperimentCheck, type ExperimentFigure, type ExperimentPresentation, type ExperimentResult, type MatrixData, formatPercent } from './experiment.js';
import { toGrid } from './matrices.js';
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

/** The options of a band-pass run with every default filled in. */
export type BandpassParameters = Required<Omit<BandpassOptions, 'signal'>>;

export interface BandpassData {
  readonly parameters: BandpassParameters;
  readonly model: SequentialModel;
  readonly firstLayer: MatrixData;
  readonly descrambledFirstLayer: MatrixData;
  /** Centred |DFT| of P W1 (hidden x input frequencies). */
  readonly spectrum: MatrixData;
  readonly spectrumRaw: MatrixData;
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
  if (layer?.kind !== 'dense') throw new MalformedModelError({ operation: 'bandpass', reason: `the model has no dense layer ${index}` });
  const [rows, columns] = layer.weight.shape as [number, number];
  return fromFloat64Array(layer.weight.data, rows, columns);
}

/** The network n -> hidden tanh -> n (no biases) trained with Adam on the band-pass task. */
function trainBandpassNetwork(training: Signals, parameters: BandpassParameters, signal: AbortSignal | undefined): SequentialModel {
  const { length: n, hidden, samples, epochs, seed } = parameters;
  const initial = createMlp({ sizes: [n, hidden, n], activation: 'tanh', seed, bias: false });
  const trained = trainMlp(initial, {
    inputs: { shape: [samples, n], data: training.inputs },
    targets: { shape: [samples, n], data: training.targets },
    optimizer: { kind: 'adam', learningRate: 3e-3 },
    epochs,
    batchSize: 64,
    seed,
    onEpoch: () => {
      signal?.throwIfAborted();
      return undefined;
    },
  });
  signal?.throwIfAborted();
  return trained.model;
}

/** Squared test error of the network, of the trivial "output = input", and the target energy, summed over the test signals. */
function testErrors(w1: Matrix, w2: Matrix, test: Signals, count: number): { error: number; identity: number; energy: number } {
  const hidden = w1.rows;
  const n = w1.columns;
  // Hidden activations tanh(X W1^T) and outputs H W2^T, one test signal per row.
  const activations = multiplyTransposeBFlat(test.inputs, toFloat64Array(w1), count, n, hidden).map(Math.tanh);
  const outputs = multiplyTransposeBFlat(activations, toFloat64Array(w2), count, hidden, n);
  let error = 0;
  let identity = 0;
  let energy = 0;
  for (let e = 0; e < count * n; e++) {
    const target = test.targets[e] as number;
    error += ((outputs[e] as number) - target) ** 2;
    identity += ((test.inputs[e] as number) - target) ** 2;
    energy += target * target;
  }
  return { error, identity, energy };
}

/** Test signals the network is scored on. */
const TEST_SIGNALS = 1000;

/**
 * A network trained to band-pass noisy sinusoids (n -> hidden tanh -> n). Descrambling its
 * first layer and taking the centred 2-D DFT shows the pass band along the input axis and
 * concentrates the energy at low hidden-axis frequencies.
 */
export function computeBandpass(options: BandpassOptions = {}): BandpassData {
  options.signal?.throwIfAborted();
  const parameters: BandpassParameters = {
    length: options.length ?? 64,
    hidden: options.hidden ?? 32,
    band: options.band ?? [6, 12],
    samples: options.samples ?? 4000,
    epochs: options.epochs ?? 30,
    noise: options.noise ?? 0.3,
    seed: options.seed ?? 11,
  };
  const { length: n, band, samples, noise, seed } = parameters;
  const training = bandpassSignals(samples, n, band, noise, seed);
  const test = bandpassSignals(TEST_SIGNALS, n, band, noise, seed + 1);
  const model = trainBandpassNetwork(training, parameters, options.signal);
  // Test error relative to the target energy, against the trivial "output = input".
  const w1 = denseWeights(model, 0);
  const w2 = denseWeights(model, 1);
  const { error, identity, energy } = testErrors(w1, w2, test, TEST_SIGNALS);
  const data = fromFloat64Array(training.inputs, samples, n);
  const descrambled = descrambleLayer({ weights: w1, data });
  const spectrum = weightSpectrum(descrambled.descrambledWeights);
  const raw = weightSpectrum(w1);
  const inside = (s: typeof spectrum) => bandEnergyFraction(s, 1, band[1]) - bandEnergyFraction(s, 1, band[0] - 1);
  return {
    parameters,
    model,
    firstLayer: toGrid(w1),
    descrambledFirstLayer: toGrid(descrambled.descrambledWeights),
    spectrum: toGrid(spectrum.magnitude),
    spectrumRaw: toGrid(raw.magnitude),
    passBandFraction: inside(spectrum),
    rawPassBandFraction: inside(raw),
    flatFraction: (2 * (band[1] - band[0] + 1)) / n,
    hiddenLowFraction: bandEnergyFraction(spectrum, 0, 2),
    hiddenLowFractionRaw: bandEnergyFraction(raw, 0, 2),
    testError: error / energy,
    identityError: identity / energy,
  };
}

/** The first layer before and after descrambling, and both centred spectra with the pass band shaded. */
export function bandpassFigures(data: BandpassData): ExperimentFigure[] {
  const { length: n, hidden, band } = data.parameters;
  const half = n / 2;
  const hiddenHalf = hidden / 2;
  const annotations = [
    { kind: 'band' as const, axis: 'x' as const, from: band[0], to: band[1], label: 'pass band' },
    { kind: 'band' as const, axis: 'x' as const, from: -band[1], to: -band[0] },
  ];
  return [
    {
      name: 'weights',
      caption: `First layer of the band-pass network as trained (left) and descrambled (right).`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 700,
        height: 300,
        panels: [
          { kind: 'heatmap', title: 'W1', values: data.firstLayer, colourMap: 'diverging', xLabel: 'input sample', yLabel: 'neuron' },
          { kind: 'heatmap', title: 'P W1', values: data.descrambledFirstLayer, colourMap: 'diverging', xLabel: 'input sample', yLabel: 'descrambled neuron' },
        ],
      },
    },
    {
      name: 'spectra',
      caption: `Centred |2-D DFT| of W1 (left) and of P W1 (right); shaded: the pass band ${band[0]}..${band[1]} cycles. ${formatPercent(data.passBandFraction)} of the energy lies in the band (a flat spectrum would put ${formatPercent(data.flatFraction)} there).`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 760,
        height: 320,
        panels: [
          { kind: 'heatmap', title: '|DFT(W1)|', values: data.spectrumRaw, xRange: [-half, half - 1], yRange: [-hiddenHalf, hiddenHalf - 1], xLabel: 'input frequency', yLabel: 'hidden frequency', annotations },
          { kind: 'heatmap', title: '|DFT(P W1)|', values: data.spectrum, xRange: [-half, half - 1], yRange: [-hiddenHalf, hiddenHalf - 1], xLabel: 'input frequency', yLabel: 'hidden frequency', annotations },
        ],
      },
    },
  ];
}

/** The pass band in the descrambled spectrum, low hidden-axis frequencies, and the network doing its task. */
export function bandpassChecks(data: BandpassData): ExperimentCheck[] {
  const { band } = data.parameters;
  const { flatFraction, rawPassBandFraction, hiddenLowFractionRaw, identityError } = data;
  return [
    check(
      `The descrambled weights' spectrum shows the pass band: > 2x the flat share of energy at input frequencies ${band[0]}..${band[1]}`,
      'The premise of descrambling (Amey et al. 2021; docs/theory.md §1): a descrambled layer shows what it computes; for a band-pass task, the pass band',
      data.passBandFraction,
      (value) => value > 2 * flatFraction,
      (value) => `${formatPercent(value)} (flat ${formatPercent(flatFraction)}; raw W1 ${formatPercent(rawPassBandFraction)}: P never changes input-axis energy)`,
    ),
    check(
      'Descrambling concentrates energy at low hidden-axis frequencies (|k| <= 2): descrambled share above the raw share',
      'docs/theory.md §1: the smoothness criterion makes P S smooth along the neuron axis',
      data.hiddenLowFraction,
      (value) => value > hiddenLowFractionRaw,
      (value) => `${formatPercent(value)} (raw ${formatPercent(hiddenLowFractionRaw)})`,
    ),
    check(
      'The network band-passes: test error below that of passing the input through',
      'Set-up check (not a paper claim)',
      data.testError,
      (value) => value < identityError,
      (value) => `${formatPercent(value)} of the target energy (identity ${formatPercent(identityError)})`,
    ),
  ];
}

const BANDPASS: ExperimentPresentation<BandpassData> = {
  name: 'bandpass',
  title: 'A band-pass network',
  setup: ({ parameters: p }) =>
    `Signals of ${p.length} samples, each a sum of 4 sinusoids at random integer frequencies 1..${p.length / 2 - 1} with amplitudes 0.5..1, plus white noise (σ = ${p.noise}); target: the components in ${p.band[0]}..${p.band[1]} cycles. Network ${p.length} -> ${p.hidden} tanh -> ${p.length} (no biases), Adam (3e-3, batch 64, ${p.epochs} epochs) on ${p.samples} signals, seed ${p.seed}. Layer 1 descrambled with the training inputs (Fourier smoothness).`,
  figures: bandpassFigures,
  checks: bandpassChecks,
};

/** {@link computeBandpass}, drawn and checked. */
export function bandpass(options: BandpassOptions = {}): ExperimentResult<BandpassData> {
  return composeExperiment(BANDPASS, () => computeBandpass(options));
}
