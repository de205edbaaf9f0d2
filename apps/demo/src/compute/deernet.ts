/**
 * The DEERNet view: the first layer of the DEERNet bundled with @descramble/experiments
 * (256 time points -> 80 tanh neurons -> 256 distance points), fed simulated DEER traces.
 * Loaded lazily by the worker (the weights are ~165 KB). After the exact descrambler, it measures the
 * notch and band-pass of the descrambled spectrum and computes the paper's Figure 4: the
 * top principal components of the second layer's preactivations W2 f1(X) against the first
 * 20 Chebyshev polynomials.
 */
import type { Figure } from '@descramble/figures';
import { createRng, multiply, multiplyTransposeB, symmetricEigen } from '@descramble/linalg';
import { bandedness, bandEnergyFraction, notchDepth, polynomialInnerProducts, weightSpectrum } from '@descramble/spectral';
import { Matrix } from 'ml-matrix';
// Static here, so that the worker's one dynamic import of this module fetches the experiments
// chunk (DEERNet weights, DEER simulator) in parallel rather than after it.
import * as deer from '../formats/experiments.js';
import type { ExtraPayload, TourParams } from '../protocol.js';
import type { LayerSource, TourExact } from './tour.js';
import { toWire } from './wire.js';

/** Principal components of layer 2 compared with Chebyshev polynomials (as in the paper). */
export const DEERNET_COMPONENTS = 5;
export const DEERNET_CHEBYSHEV_DEGREE = 19;
/** Half-width of the hidden-axis band (paper: about 10). */
export const DEERNET_HIDDEN_BAND = 10;

export interface DeerNetContext {
  readonly source: LayerSource;
  /** Every trace generated for the Gram matrix, row-major (traces x 256), for Figure 4. */
  readonly traces: () => { inputs: Float64Array; count: number };
  readonly firstBias: Float64Array;
  readonly secondWeights: Matrix;
}

export async function deernetContext(params: TourParams): Promise<DeerNetContext> {
  const net = deer.loadDeerNet();
  const spec = deer.deerDatasetSpec({
    timePoints: net.card.data.timePoints,
    distancePoints: net.card.data.distancePoints,
    maxTime: net.card.data.maxTimeMicroseconds,
  });
  const timePoints = spec.times.length;
  // One stream of traces per request: trace i is always the i-th draw of the seeded generator,
  // generated once and kept, so the first look's traces are the first of the full answer's.
  const rng = createRng(params.seed + 2021);
  const generated: Float64Array[] = [];
  let count = 0;
  const blockRows = 256;
  const source: LayerSource = {
    weights: net.firstWeights,
    dataLabel: 'simulated DEER traces',
    isotropic: false,
    symmetrise: true,
    *blocks(samples, onBlock) {
      let done = 0;
      for (let index = 0; done < samples; index++) {
        if (index === generated.length) {
          const rows = Math.min(blockRows, samples - done);
          generated.push(deer.generateDeerBatch(spec, rng, rows).inputs);
          count += rows;
        }
        const block = generated[index]!;
        const rows = Math.min(block.length / timePoints, samples - done);
        yield rows * timePoints === block.length ? block : block.subarray(0, rows * timePoints);
        done += rows;
        onBlock(done);
      }
    },
  };
  return {
    source,
    traces: () => {
      const inputs = new Float64Array(count * timePoints);
      let offset = 0;
      for (const block of generated) {
        inputs.set(block, offset);
        offset += block.length;
      }
      return { inputs, count };
    },
    firstBias: net.firstBias,
    secondWeights: net.secondWeights,
  };
}

/** Notch, band and Figure 4 for the DEERNet view. */
export function deernetExtra(context: DeerNetContext, tour: TourExact): ExtraPayload {
  const spectrum = weightSpectrum(tour.descrambledWeights, { symmetrise: true });
  const rawSpectrum = weightSpectrum(tour.weights, { symmetrise: true });
  const notch = notchDepth(spectrum, { axis: 1 });
  const band = bandEnergyFraction(spectrum, 0, DEERNET_HIDDEN_BAND);
  const rawBand = bandEnergyFraction(rawSpectrum, 0, DEERNET_HIDDEN_BAND);
  const facts: [string, string][] = [
    ['Notch at input frequency 0 (descrambled)', `${notch.depthDb.toFixed(1)} dB`],
    [`Energy within hidden frequencies |k| ≤ ${DEERNET_HIDDEN_BAND}`, `${(100 * band).toFixed(1)}% (raw W: ${(100 * rawBand).toFixed(1)}%)`],
  ];
  const figures: ExtraPayload['figures'][number][] = [];
  const { inputs, count } = context.traces();
  if (count >= 2) {
    const w1 = tour.weights;
    const timePoints = w1.columns;
    const x = new Matrix(count, timePoints);
    for (let n = 0; n < count; n++) for (let j = 0; j < timePoints; j++) x.set(n, j, inputs[n * timePoints + j]!);
    const h = multiplyTransposeB(x, w1);
    for (let n = 0; n < count; n++) for (let i = 0; i < w1.rows; i++) h.set(n, i, Math.tanh(h.get(n, i) + context.firstBias[i]!));
    const pre = multiplyTransposeB(h, context.secondWeights); // count x distances
    const nr = pre.columns;
    for (let j = 0; j < nr; j++) {
      let mean = 0;
      for (let n = 0; n < count; n++) mean += pre.get(n, j);
      mean /= count;
      for (let n = 0; n < count; n++) pre.set(n, j, pre.get(n, j) - mean);
    }
    const covariance = multiply(pre.transpose(), pre).mul(1 / count);
    const eigen = symmetricEigen(covariance);
    const principal = new Matrix(nr, DEERNET_COMPONENTS);
    for (let c = 0; c < DEERNET_COMPONENTS; c++) {
      const column = nr - 1 - c;
      let best = 0;
      for (let j = 0; j < nr; j++) if (Math.abs(eigen.vectors.get(j, column)) > Math.abs(best)) best = eigen.vectors.get(j, column);
      const sign = best < 0 ? -1 : 1;
      for (let j = 0; j < nr; j++) principal.set(j, c, sign * eigen.vectors.get(j, column));
    }
    const inner = polynomialInnerProducts(principal, DEERNET_CHEBYSHEV_DEGREE).abs();
    const banded = bandedness(inner, 2);
    facts.push(['Bandedness of the Chebyshev matrix (bandwidth 2)', banded.toFixed(3)]);
    const chebyshev: Figure = {
      kind: 'heatmap',
      title: '|<principal component, Chebyshev T_k>|',
      // Flat row-major data: the description crosses postMessage (a Matrix would not survive the clone).
      values: toWire(inner),
      colourMap: 'viridis',
      xLabel: 'Chebyshev degree k',
      yLabel: 'principal component',
      yRange: [1, DEERNET_COMPONENTS],
      colourBarLabel: '|inner product|',
      width: 560,
      height: 300,
    };
    const grid = Array.from({ length: nr }, (_, j) => -1 + (2 * j) / (nr - 1));
    const components: Figure = {
      kind: 'lines',
      title: 'Top principal components of W2 f1(X)',
      series: Array.from({ length: DEERNET_COMPONENTS }, (_, c) => ({ label: `PC ${c + 1}`, x: grid, y: Array.from(principal.getColumn(c)) })),
      xLabel: 'distance, shifted to [-1, 1]',
      yLabel: 'component',
      width: 560,
      height: 300,
    };
    figures.push(
      { key: 'chebyshev', caption: 'The Chebyshev matrix (the paper’s Figure 4): nearly banded', figure: chebyshev },
      { key: 'principal-components', caption: 'Principal components of the second layer’s preactivations', figure: components },
    );
  }
  return { heading: 'What the descrambled DEERNet shows', figures, facts };
}
