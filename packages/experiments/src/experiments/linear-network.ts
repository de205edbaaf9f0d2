import { descrambleLayer } from '@descramble/descramblers';
import { createRng, randomOrthogonal, type Rng, svd } from '@descramble/linalg';
import { linearGradientFlow } from '@descramble/nets';
import { principalAngles } from '@descramble/spectral';
import { Matrix } from 'ml-matrix';
import { deerDatasetSpec } from '../deer/training-set.js';
import { check, composeExperiment, type ExperimentCheck, type ExperimentFigure, type ExperimentPresentation, type ExperimentResult, type MatrixData, formatDegrees, formatPercent } from './experiment.js';
import {
  gaussianMatrix,
  leadingColumns,
  matrixFromRowMajor,
  multiply,
  multiplyTransposeA,
  multiplyTransposeB,
  relativeDifference,
  secondMomentOfRows,
  symmetricFunction,
  toGrid,
  toRowMajor,
} from './matrices.js';
import { MalformedModelError } from '../errors.js';

export type ForwardOperatorKind = 'blur' | 'deer';

export interface LinearNetworkOptions {
  /** Forward operators to run (default both: a Gaussian blur and the DEER kernel). */
  readonly operators?: readonly ForwardOperatorKind[];
  /** Signal and measurement size n (K is n x n). Default 32. */
  readonly size?: number;
  /** Hidden units h. Default 8. */
  readonly hidden?: number;
  /** Training pairs N. Default 20000. */
  readonly samples?: number;
  /** Noise standard deviation s (K is scaled to ||K||_2 = 1). Default 0.2. */
  readonly noise?: number;
  /** Initial mode strength a_0 (small balanced start). Default 1e-3. */
  readonly initialStrength?: number;
  /** Gradient-descent step (learning rate, tau = 1). Default 0.002. */
  readonly step?: number;
  /** Leading modes compared by principal angles. Default 4. */
  readonly leadingModes?: number;
  readonly seed?: number;
  /** Aborts between phases (and solver iterations, training epochs): throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The run on one forward operator. */
export interface SignalRecoveryRun {
  readonly operator: ForwardOperatorKind;
  /** The forward operator K (n x n), ||K||_2 = 1. */
  readonly forward: MatrixData;
  /** Singular values s_i of Sigma_y x~ (whitened inputs), descending, first h. */
  readonly modeStrengths: Float64Array;
  readonly times: Float64Array;
  /** measured[i][k] = u_i^T W2 W1 v_i at times[k]. */
  readonly measured: readonly Float64Array[];
  /** analytic[i][k] = a_i(times[k]) of Saxe, McClelland and Ganguli. */
  readonly analytic: readonly Float64Array[];
  /** max over modes and times of |measured - analytic| / analytic. */
  readonly maxRelativeError: number;
  /** Snapshot times and descrambled first layers P W1(t) (Dirichlet smoothness). */
  readonly snapshotTimes: readonly number[];
  readonly descrambledFirstLayers: readonly MatrixData[];
  /** max over snapshots of ||offdiag(T^T P W1 V)|| / ||diag(T^T P W1 V)||: P W1 = T diag(sqrt a) V^T. */
  readonly semanticError: number;
  /** Principal angles (radians) between the leading right singular vectors of W1 and left singular vectors of K. */
  readonly principalAngles: Float64Array;
  /** ||W2 W1 Sigma^-1/2 - rank-h Tikhonov pseudo-inverse||_F / ||pseudo-inverse||_F. */
  readonly pseudoInverseError: number;
  /** |V(W1)^T U(K)| on the first h modes (h x h). */
  readonly overlap: MatrixData;
}

/** The options of a linear-network run with every default filled in. */
export type LinearNetworkParameters = Required<Omit<LinearNetworkOptions, 'signal'>>;

export interface LinearNetworkData {
  readonly parameters: LinearNetworkParameters;
  readonly runs: readonly SignalRecoveryRun[];
}

function forwardOperator(kind: ForwardOperatorKind, n: number): Matrix {
  let k: Matrix;
  if (kind === 'blur') {
    // Non-periodic Gaussian blur (distinct singular values, unlike a circulant blur's pairs).
    const width = n / 8;
    k = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k.set(i, j, Math.exp(-((i - j) ** 2) / (2 * width * width)));
  } else {
    k = deerDatasetSpec({ timePoints: n, distancePoints: n }).kernel;
  }
  const top = svd(k).s[0] as number;
  return k.mul(1 / top);
}

/** a(t) = s e^{2st} / (e^{2st} - 1 + s / a0), tau = 1. */
export function modeStrength(s: number, a0: number, t: number): number {
  const growth = Math.exp(-2 * s * t);
  return s / (1 + (s / a0 - 1) * growth);
}

type RunParameters = Omit<LinearNetworkParameters, 'operators'>;

/** Training pairs x = K y + noise, whitened (Sigma_xx = I exactly, as SMG assume), and the SVD of Sigma_yx. */
interface SignalRecoveryProblem {
  readonly forward: Matrix;
  readonly targets: Matrix;
  readonly whitenedInputs: Matrix;
  readonly whitener: Matrix;
  readonly correlation: { readonly u: Matrix; readonly s: Float64Array; readonly v: Matrix };
}

function signalRecoveryProblem(kind: ForwardOperatorKind, parameters: RunParameters, rng: Rng): SignalRecoveryProblem {
  const { size: n, samples, noise } = parameters;
  const k = forwardOperator(kind, n);
  const y = gaussianMatrix(samples, n, rng);
  const x = multiplyTransposeB(y, k).add(gaussianMatrix(samples, n, rng, noise));
  // Whitening with the empirical second moment makes Sigma_xx = I exactly, as SMG assume.
  const whitener = symmetricFunction(secondMomentOfRows(x), (lambda) => 1 / Math.sqrt(lambda));
  const xw = multiply(x, whitener);
  const syx = multiplyTransposeA(y, xw).mul(1 / samples);
  const { u, s, v } = svd(syx);
  return { forward: k, targets: y, whitenedInputs: xw, whitener, correlation: { u, s, v } };
}

/** W1 = R diag(sqrt a0) V^T, W2 = U diag(sqrt a0) R^T: a small balanced start with a scrambled hidden layer. */
function balancedStart(u: Matrix, v: Matrix, hidden: number, a0: number, rng: Rng): { w1: Matrix; w2: Matrix } {
  const n = u.rows;
  const r = randomOrthogonal(hidden, rng);
  const w1 = new Matrix(hidden, n);
  const w2 = new Matrix(n, hidden);
  const root = Math.sqrt(a0);
  for (let i = 0; i < hidden; i++) {
    for (let j = 0; j < hidden; j++) {
      const rij = r.get(i, j);
      for (let c = 0; c < n; c++) {
        w1.set(i, c, w1.get(i, c) + rij * root * v.get(c, j));
        w2.set(c, i, w2.get(c, i) + u.get(c, j) * root * rij);
      }
    }
  }
  return { w1, w2 };
}

/** The gradient-descent run with the mode strengths u_i^T W2 W1 v_i and W1 recorded along the way. */
interface ModeTrajectory {
  readonly times: number[];
  readonly measured: number[][];
  readonly w1History: Float64Array[];
  readonly w1: Matrix;
  readonly w2: Matrix;
}

function trainRecordingModes(problem: SignalRecoveryProblem, start: { w1: Matrix; w2: Matrix }, parameters: RunParameters, signal: AbortSignal | undefined): ModeTrajectory {
  const { size: n, hidden: h, initialStrength: a0, step } = parameters;
  const { u, s, v } = problem.correlation;
  const weakest = s[h - 1] as number;
  // Train until the weakest learnt mode reaches 99% of its final strength.
  const duration = Math.log((weakest / a0 - 1) / (1 / 0.99 - 1)) / (2 * weakest);
  const steps = Math.ceil(duration / step);
  const recordEvery = Math.max(1, Math.floor(steps / 200));
  const times: number[] = [];
  const measured = Array.from({ length: h }, () => [] as number[]);
  const w1History: Float64Array[] = [];
  const uh = leadingColumns(u, h);
  const vh = leadingColumns(v, h);
  const result = linearGradientFlow({
    inputs: problem.whitenedInputs,
    targets: problem.targets,
    initial: { w1: toRowMajor(start.w1), w2: toRowMajor(start.w2), hidden: h },
    time: steps * step,
    steps,
    method: 'euler',
    recordEvery,
    onStep: (report) => {
      signal?.throwIfAborted();
      times.push(report.time);
      w1History.push(report.w1);
      const product = multiply(matrixFromRowMajor(report.w2, n, h), matrixFromRowMajor(report.w1, h, n));
      const modes = multiply(multiplyTransposeA(uh, product), vh);
      for (let i = 0; i < h; i++) (measured[i] as number[]).push(modes.get(i, i));
    },
  });
  const trained = result.model.layers.filter((layer) => layer.kind === 'dense');
  const firstLayer = trained[0];
  const secondLayer = trained[1];
  if (firstLayer?.kind !== 'dense' || secondLayer?.kind !== 'dense') throw new MalformedModelError({ operation: 'linearNetwork', reason: 'linearGradientFlow returned no dense layers' });
  return { times, measured, w1History, w1: matrixFromRowMajor(firstLayer.weight.data, h, n), w2: matrixFromRowMajor(secondLayer.weight.data, n, h) };
}

/** max over modes and times of |measured - analytic| / analytic. */
function maxRelativeDeviation(measured: readonly number[][], analytic: readonly Float64Array[]): number {
  let maxRelativeError = 0;
  measured.forEach((m, i) => {
    const an = analytic[i] as Float64Array;
    for (let t = 0; t < m.length; t++) maxRelativeError = Math.max(maxRelativeError, Math.abs((m[t] as number) - (an[t] as number)) / (an[t] as number));
  });
  return maxRelativeError;
}

/**
 * Semantic development: W1(t) descrambled with B = W1 Sigma_x~x~ W1^T = W1 W1^T at fractions of
 * the run, and the largest off-diagonal ratio of T^T P W1 V over the snapshots.
 */
function semanticSnapshots(trajectory: ModeTrajectory, vh: Matrix, hidden: number, n: number): { snapshotTimes: number[]; descrambledFirstLayers: MatrixData[]; semanticError: number } {
  const { times, w1History } = trajectory;
  const fractions = [0.1, 0.2, 0.35, 0.5, 0.7, 1];
  const snapshotTimes: number[] = [];
  const descrambledFirstLayers: MatrixData[] = [];
  let semanticError = 0;
  for (const fraction of fractions) {
    const index = Math.min(times.length - 1, Math.round(fraction * (times.length - 1)));
    const layer = matrixFromRowMajor(w1History[index] as Float64Array, hidden, n);
    const descrambled = descrambleLayer({ weights: layer, gram: multiplyTransposeB(layer, layer), operator: 'dirichlet' });
    snapshotTimes.push(times[index] as number);
    descrambledFirstLayers.push(toGrid(descrambled.descrambledWeights));
    const core = multiply(multiplyTransposeA(descrambled.smoothnessEigenvectors, descrambled.descrambledWeights), vh);
    let diagonal = 0;
    let off = 0;
    for (let i = 0; i < hidden; i++) for (let j = 0; j < hidden; j++) (i === j ? (diagonal += core.get(i, j) ** 2) : (off += core.get(i, j) ** 2));
    semanticError = Math.max(semanticError, Math.sqrt(off / diagonal));
  }
  return { snapshotTimes, descrambledFirstLayers, semanticError };
}

/** The trained network against K: principal angles, distance to the Tikhonov pseudo-inverse, overlap of singular vectors. */
function pseudoInverseAlignment(problem: SignalRecoveryProblem, trajectory: ModeTrajectory, parameters: RunParameters): Pick<SignalRecoveryRun, 'principalAngles' | 'pseudoInverseError' | 'overlap'> {
  const { size: n, hidden: h, noise, leadingModes } = parameters;
  const kFactors = svd(problem.forward);
  const w1Factors = svd(trajectory.w1.transpose());
  const angles = principalAngles(leadingColumns(w1Factors.u, leadingModes), leadingColumns(kFactors.u, leadingModes)).angles;
  // Rank-h Tikhonov pseudo-inverse V_K diag(kappa / (kappa^2 + s^2)) U_K^T.
  const tikhonov = new Matrix(n, n);
  for (let i = 0; i < h; i++) {
    const kappa = kFactors.s[i] as number;
    const gain = kappa / (kappa * kappa + noise * noise);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) tikhonov.set(a, b, tikhonov.get(a, b) + kFactors.v.get(a, i) * gain * kFactors.u.get(b, i));
  }
  const effective = multiply(multiply(trajectory.w2, trajectory.w1), problem.whitener);
  const pseudoInverseError = relativeDifference(effective, tikhonov);
  const overlap = multiplyTransposeA(leadingColumns(w1Factors.u, h), leadingColumns(kFactors.u, h)).abs();
  return { principalAngles: angles, pseudoInverseError, overlap: toGrid(overlap) };
}

function signalRecoveryRun(kind: ForwardOperatorKind, parameters: RunParameters, signal: AbortSignal | undefined): SignalRecoveryRun {
  const { size: n, hidden: h, initialStrength: a0, seed } = parameters;
  const rng = createRng(seed + (kind === 'blur' ? 0 : 1));
  const problem = signalRecoveryProblem(kind, parameters, rng);
  const { u, s, v } = problem.correlation;
  const start = balancedStart(u, v, h, a0, rng);
  const strengths = s.slice(0, h);
  const trajectory = trainRecordingModes(problem, start, parameters, signal);
  const analytic = strengths.length > 0 ? Array.from(strengths, (si) => Float64Array.from(trajectory.times, (t) => modeStrength(si, a0, t))) : [];
  const snapshots = semanticSnapshots(trajectory, leadingColumns(v, h), h, n);
  return {
    operator: kind,
    forward: toGrid(problem.forward),
    modeStrengths: strengths,
    times: Float64Array.from(trajectory.times),
    measured: trajectory.measured.map((m) => Float64Array.from(m)),
    analytic,
    maxRelativeError: maxRelativeDeviation(trajectory.measured, analytic),
    ...snapshots,
    ...pseudoInverseAlignment(problem, trajectory, parameters),
  };
}

const OPERATOR_LABEL: Record<ForwardOperatorKind, string> = { blur: 'Gaussian blur', deer: 'DEER kernel' };

/**
 * Two-layer linear networks on signal recovery x = K y + noise (Saxe, McClelland and Ganguli;
 * docs/theory.md section 5): trained by full-batch gradient descent from a small balanced start,
 * the mode strengths follow the analytic sigmoids a_i(t); descrambling W1(t) shows the modes
 * appear in order of strength (P W1 = T diag(sqrt a) V^T); the trained first layer's right
 * singular vectors align with K's left singular vectors (a regularised pseudo-inverse).
 */
export function computeLinearNetwork(options: LinearNetworkOptions = {}): LinearNetworkData {
  options.signal?.throwIfAborted();
  const parameters: LinearNetworkParameters = {
    operators: options.operators ?? ['blur', 'deer'],
    size: options.size ?? 32,
    hidden: options.hidden ?? 8,
    samples: options.samples ?? 20000,
    noise: options.noise ?? 0.2,
    initialStrength: options.initialStrength ?? 1e-3,
    step: options.step ?? 0.002,
    leadingModes: options.leadingModes ?? 4,
    seed: options.seed ?? 5,
  };
  const { operators, ...run } = parameters;
  return { parameters, runs: operators.map((kind) => signalRecoveryRun(kind, run, options.signal)) };
}

/** Per forward operator: mode strengths against the sigmoids, the descrambled snapshots, the overlap with K. */
export function linearNetworkFigures(data: LinearNetworkData): ExperimentFigure[] {
  const { hidden } = data.parameters;
  const shown = Math.min(hidden, 6);
  return data.runs.flatMap((run): ExperimentFigure[] => {
    const label = OPERATOR_LABEL[run.operator];
    const series = [];
    for (let i = 0; i < shown; i++) {
      series.push({ label: `a${i + 1} measured`, x: run.times, y: run.measured[i] as Float64Array });
    }
    for (let i = 0; i < shown; i++) {
      series.push({ label: `a${i + 1} analytic`, x: run.times, y: run.analytic[i] as Float64Array, dashed: true, colour: '#000000' });
    }
    return [
      {
        name: `${run.operator}-modes`,
        caption: `${label}: mode strengths u_iᵀ W2 W1 v_i during gradient descent (first ${shown} modes) against the analytic sigmoids a_i(t) (dashed). Maximum relative deviation ${formatPercent(run.maxRelativeError)}.`,
        figure: { kind: 'lines', title: `${label}: learning the modes`, width: 640, height: 340, xLabel: 'time t / τ', yLabel: 'mode strength a_i', series },
      },
      {
        name: `${run.operator}-semantic`,
        caption: `${label}: descrambled first layer P W1(t) (Dirichlet smoothness) at t = ${run.snapshotTimes.map((t) => t.toFixed(1)).join(', ')}: rows light up one by one, strongest mode first.`,
        figure: {
          kind: 'grid',
          columns: 3,
          width: 780,
          height: 360,
          panels: run.descrambledFirstLayers.map((layer, index) => ({
            kind: 'heatmap' as const,
            title: `t = ${(run.snapshotTimes[index] as number).toFixed(1)}`,
            values: layer,
            colourMap: 'diverging' as const,
            colourBar: false,
            xLabel: 'input',
            yLabel: 'neuron',
          })),
        },
      },
      {
        name: `${run.operator}-overlap`,
        caption: `${label}: |V(W1)ᵀ U(K)|, right singular vectors of the trained W1 against left singular vectors of K (first ${hidden}); the diagonal is the pseudo-inverse structure.`,
        figure: { kind: 'heatmap', title: `${label}: |V(W1)ᵀ U(K)|`, values: run.overlap, colourMap: 'greys', domain: [0, 1], width: 380, height: 320, xLabel: 'mode of K', yLabel: 'mode of W1' },
      },
    ];
  });
}

/** Per forward operator: the SMG sigmoids, the descrambled modes, the alignment with K, the pseudo-inverse. */
export function linearNetworkChecks(data: LinearNetworkData): ExperimentCheck[] {
  const { hidden, leadingModes, samples } = data.parameters;
  return data.runs.flatMap((run) => {
    const label = OPERATOR_LABEL[run.operator];
    return [
      check(
        `${label}: mode strengths follow the analytic a_i(t) (max relative deviation < 5%)`,
        'docs/theory.md §5 (Saxe et al.): a_i(t) = s_i e^{2 s_i t/τ} / (e^{2 s_i t/τ} - 1 + s_i/a_0) from a small balanced start',
        run.maxRelativeError,
        (value) => value < 0.05,
        formatPercent,
      ),
      check(
        `${label}: descrambled W1(t) is T diag(√a(t)) Vᵀ at every snapshot (off-diagonal ratio < 1e-6)`,
        'docs/theory.md §5: P* W1 = T diag(√a(t)) Vᵀ: descrambling recovers the modes in order of strength as they are learnt',
        run.semanticError,
        (value) => value < 1e-6,
      ),
      check(
        `${label}: right singular vectors of W1 span K's leading ${leadingModes} left singular vectors (largest principal angle < 10°)`,
        "docs/theory.md §5: the first layer's right singular vectors approach the left singular vectors of K (regularised pseudo-inverse)",
        Math.max(...run.principalAngles),
        (value) => value < (10 * Math.PI) / 180,
        formatDegrees,
      ),
      check(
        `${label}: W2 W1 Σxx^-1/2 is the rank-${hidden} Tikhonov pseudo-inverse Kᵀ(KKᵀ + s²I)⁻¹ (relative error < 20%; finite-sample floor with N = ${samples})`,
        'docs/theory.md §5: the optimal linear map is the Tikhonov pseudo-inverse',
        run.pseudoInverseError,
        (value) => value < 0.2,
        formatPercent,
      ),
    ];
  });
}

const LINEAR_NETWORK: ExperimentPresentation<LinearNetworkData> = {
  name: 'linearNetwork',
  title: 'Two-layer linear networks on signal recovery (Saxe, McClelland and Ganguli)',
  setup: ({ parameters: p }) =>
    `x = K y + s e with y, e ~ N(0, I), n = ${p.size}, s = ${p.noise}, ||K||₂ = 1, N = ${p.samples} pairs (inputs whitened with their empirical second moment); y_hat = W2 W1 x with h = ${p.hidden}, started at W1 = R diag(√a0) Vᵀ, W2 = U diag(√a0) Rᵀ (a0 = ${p.initialStrength}, R a random rotation: the hidden layer is scrambled) and trained by full-batch gradient descent with step ${p.step} (seed ${p.seed}).`,
  figures: linearNetworkFigures,
  checks: linearNetworkChecks,
};

/** {@link computeLinearNetwork}, drawn and checked. */
export function linearNetwork(options: LinearNetworkOptions = {}): ExperimentResult<LinearNetworkData> {
  return composeExperiment(LINEAR_NETWORK, () => computeLinearNetwork(options));
}
