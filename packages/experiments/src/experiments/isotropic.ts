import { descrambleLayer, descramblerDistance, isotropicDescrambler } from '@descramble/descramblers';
import { createRng, type Rng } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { check, composeExperiment, type ExperimentCheck, type ExperimentFigure, type ExperimentPresentation, type ExperimentResult, type MatrixData, formatNumber } from './experiment.js';
import { gaussianMatrix, multiplyTransposeB, relativeDifference, toGrid } from './matrices.js';

export interface IsotropicOptions {
  /** Hidden neurons d (rows of W). Default 16. */
  readonly neurons?: number;
  /** Inputs n (columns of W). Default 64. */
  readonly inputs?: number;
  /** Sample sizes N of the convergence study. Default [500, 2000, 8000, 32000]. */
  readonly sampleSizes?: readonly number[];
  readonly seed?: number;
  /** Aborts between phases (and solver iterations, training epochs): throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The options of an isotropic run with every default filled in. */
export type IsotropicParameters = Required<Omit<IsotropicOptions, 'signal'>>;

export interface IsotropicData {
  readonly parameters: IsotropicParameters;
  readonly weights: MatrixData;
  /** P W = T Sigma V^T (Theorem 2). */
  readonly descrambledWeights: MatrixData;
  readonly singularValues: Float64Array;
  /** Tie-invariant distance between Lemma 1 on B = W W^T and Theorem 2's T U^T. */
  readonly theoremDistance: number;
  /** ||P W (P W)^T - T Sigma^2 T^T||_F / ||Sigma^2||_F. */
  readonly gramError: number;
  readonly sampleSizes: readonly number[];
  /** Tie-invariant distance of the N-sample descrambler to the isotropic limit. */
  readonly distances: Float64Array;
  /** Least-squares slope of log distance against log N (Theorem 1 predicts -1/2). */
  readonly slope: number;
}

function logLogSlope(x: readonly number[], y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += Math.log(x[i] as number) / n;
    my += Math.log(y[i] as number) / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = Math.log(x[i] as number) - mx;
    sxy += dx * (Math.log(y[i] as number) - my);
    sxx += dx * dx;
  }
  return sxy / sxx;
}

type IsotropicLimit = ReturnType<typeof isotropicDescrambler>;

/** ||P W (P W)^T - T Sigma^2 T^T||_F / ||Sigma^2||_F: how far the descrambled weights are from T Sigma V^T. */
function theorem2GramError(limit: IsotropicLimit): number {
  const pw = limit.descrambledWeights;
  const t = limit.smoothnessEigenvectors;
  const d = t.rows;
  const sigma2 = t.clone();
  for (let j = 0; j < d; j++) {
    const s = j < limit.singularValues.length ? (limit.singularValues[j] as number) : 0;
    for (let i = 0; i < d; i++) sigma2.set(i, j, sigma2.get(i, j) * s * s);
  }
  const expectedGram = multiplyTransposeB(sigma2, t);
  return relativeDifference(multiplyTransposeB(pw, pw), expectedGram);
}

/** Distance of the descrambler from N Gaussian samples to the isotropic limit, for each N. */
function sampleDistances(weights: Matrix, limit: IsotropicLimit, sampleSizes: readonly number[], rng: Rng): Float64Array {
  const distances = new Float64Array(sampleSizes.length);
  sampleSizes.forEach((samples, k) => {
    const data = gaussianMatrix(samples, weights.columns, rng);
    const result = descrambleLayer({ weights, data });
    distances[k] = descramblerDistance(result.P, limit.P, limit.smoothness);
  });
  return distances;
}

/**
 * Theorem 2 on a random layer: with isotropic inputs the descrambled weights are
 * `T Sigma V^T` (the SVD with the smooth modes of A for its left factor), and the descrambler
 * computed from N samples converges to that limit like N^{-1/2} (Theorem 1).
 */
export function computeIsotropic(options: IsotropicOptions = {}): IsotropicData {
  options.signal?.throwIfAborted();
  const parameters: IsotropicParameters = {
    neurons: options.neurons ?? 16,
    inputs: options.inputs ?? 64,
    sampleSizes: options.sampleSizes ?? [500, 2000, 8000, 32000],
    seed: options.seed ?? 2,
  };
  const { neurons: d, inputs: n, sampleSizes, seed } = parameters;
  const rng = createRng(seed);
  const weights = gaussianMatrix(d, n, rng, 1 / Math.sqrt(n));
  const limit = isotropicDescrambler(weights);
  const fromGram = descrambleLayer({ weights, gram: multiplyTransposeB(weights, weights) });
  const theoremDistance = descramblerDistance(fromGram.P, limit.P, limit.smoothness);
  const gramError = theorem2GramError(limit);
  const distances = sampleDistances(weights, limit, sampleSizes, rng);
  return {
    parameters,
    weights: toGrid(weights),
    descrambledWeights: toGrid(limit.descrambledWeights),
    singularValues: limit.singularValues,
    theoremDistance,
    gramError,
    sampleSizes,
    distances,
    slope: logLogSlope(sampleSizes, distances),
  };
}

/** The layer before and after descrambling, and the convergence of the N-sample descrambler. */
export function isotropicFigures(data: IsotropicData): ExperimentFigure[] {
  const { neurons: d, inputs: n } = data.parameters;
  const { sampleSizes, distances } = data;
  const reference = sampleSizes.map((samples) => (distances[0] as number) * Math.sqrt((sampleSizes[0] as number) / samples));
  return [
    {
      name: 'weights',
      caption: `A random ${d} x ${n} layer W (left) and its isotropic descrambling P W = T Sigma V^T (right): rows ordered by smoothness, largest singular value on the constant mode.`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 760,
        height: 300,
        panels: [
          { kind: 'heatmap', title: 'W (scrambled)', values: data.weights, colourMap: 'diverging', xLabel: 'input', yLabel: 'neuron' },
          { kind: 'heatmap', title: 'P W = T Σ Vᵀ', values: data.descrambledWeights, colourMap: 'diverging', xLabel: 'input', yLabel: 'descrambled neuron' },
        ],
      },
    },
    {
      name: 'convergence',
      caption: 'Distance (tie-invariant) between the descrambler from N Gaussian samples and the isotropic limit, against N; dashed: N^-1/2.',
      figure: {
        kind: 'lines',
        title: 'Convergence to the isotropic descrambler',
        width: 520,
        height: 320,
        logX: true,
        logY: true,
        xLabel: 'samples N',
        yLabel: 'descramblerDistance to T Uᵀ',
        series: [
          { label: 'measured', x: [...sampleSizes], y: distances },
          { label: 'N^-1/2', x: [...sampleSizes], y: reference, dashed: true },
        ],
      },
    },
  ];
}

/** Theorem 2 (two identities to roundoff) and Theorem 1 (the N^-1/2 rate). */
export function isotropicChecks(data: IsotropicData): ExperimentCheck[] {
  return [
    check(
      'Lemma 1 on B = W Wᵀ equals T Uᵀ of Theorem 2 (distance < 1e-8)',
      'Theorem 2: for isotropic data the descrambler is T Uᵀ with U the left singular vectors of W',
      data.theoremDistance,
      (v) => v < 1e-8,
    ),
    check(
      'Descrambled weights are T Σ Vᵀ: (PW)(PW)ᵀ = T Σ² Tᵀ (relative error < 1e-10)',
      'Theorem 2: P* W = T Σ Vᵀ; all descrambling can show is the SVD',
      data.gramError,
      (v) => v < 1e-10,
    ),
    check(
      'The N-sample descrambler converges like N^-1/2 (log-log slope in [-0.7, -0.3])',
      'Theorem 1: eigenvector error scales like N^-1/2 divided by the eigengap',
      data.slope,
      (v) => v > -0.7 && v < -0.3,
      formatNumber,
    ),
  ];
}

const ISOTROPIC: ExperimentPresentation<IsotropicData> = {
  name: 'isotropic',
  title: 'Isotropic data (Theorem 2) and the large-data limit (Theorem 1)',
  setup: ({ parameters: { neurons, inputs, sampleSizes, seed } }) =>
    `W: ${neurons} x ${inputs} with N(0, 1/${inputs}) entries (seed ${seed}); Fourier smoothness operator; inputs x ~ N(0, I) for N in {${sampleSizes.join(', ')}}.`,
  figures: isotropicFigures,
  checks: isotropicChecks,
};

/** {@link computeIsotropic}, drawn and checked. */
export function isotropic(options: IsotropicOptions = {}): ExperimentResult<IsotropicData> {
  return composeExperiment(ISOTROPIC, () => computeIsotropic(options));
}
