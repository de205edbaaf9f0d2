import type { Matrix } from 'ml-matrix';
import { descramblersScope, DimensionMismatchError, EmptyDataError, InvalidArgumentError, ZeroMatrixError } from './errors.js';
import {
  type ExactDescrambler,
  exactDescramblerFor,
  labelled,
  type SmoothnessOptions,
} from './exact-descrambler.js';
import {
  checkBias,
  feedData,
  feedDataAsync,
  type LayerData,
  type LayerDataStream,
  LayerGramBuilder,
  resolveBlockSize,
} from './layer-gram.js';
import { GramAccumulator, multiply, multiplyTransposeB } from '@descramble/linalg';
import { secondMomentGram } from './theorems.js';
import { assertMatrix } from '@descramble/core';

/** Input of `descrambleLayer`: the weights and exactly one of data, gram, secondMoment. */
export interface DescrambleLayerInput<Data = LayerData> extends Omit<SmoothnessOptions, 'positiveSemidefinite'> {
  /** Weights `out x in` (PyTorch layout: rows are the neurons to descramble). */
  readonly weights: Matrix;
  /** Layer inputs, rows are samples (`N x in`), as one matrix or a stream of row blocks. */
  readonly data?: Data;
  /**
   * A precomputed Gram matrix `S S^T` of the preactivations (`out x out`), or the accumulator
   * holding it (e.g. shards from `accumulateLayerGram` merged; its count becomes `sampleCount`).
   */
  readonly gram?: Matrix | GramAccumulator;
  /** The inputs' second moment `Gamma = E[x x^T]` (`in x in`); uses `B = W Gamma W^T` (Theorem 1). */
  readonly secondMoment?: Matrix;
  /** Mean `E[x]` of the inputs, needed with `secondMoment` when a bias is given. */
  readonly mean?: ArrayLike<number>;
  /** Bias of the layer (length out): preactivations `W x + b`. Default off. */
  readonly bias?: ArrayLike<number>;
  /** Weights of the next layer (`next x out`); the result carries `nextWeights P^T`. */
  readonly nextWeights?: Matrix;
  /** Rows per block when `data` is one matrix (default 4096). */
  readonly blockSize?: number;
  /** Aborts between blocks of data and between phases: throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The exact descrambler of a layer, the descrambled weights and the evidence. */
export interface LayerDescrambler extends ExactDescrambler {
  /** `P W` (out x in). */
  readonly descrambledWeights: Matrix;
  /** `P b`, when a bias was given. */
  readonly descrambledBias?: Float64Array;
  /** `W_next P^T`, when `nextWeights` was given. */
  readonly descrambledNextWeights?: Matrix;
  /**
   * Number of samples accumulated (from data, a GramAccumulator, or the `sampleCount` option
   * with a Gram matrix); null when unknown (a Gram matrix alone, or a second moment).
   */
  readonly sampleCount: number | null;
  /** Rank of B (fewer samples than neurons, or degenerate data, make it < out). */
  readonly rankB: number;
  /** Where B came from. */
  readonly source: 'data' | 'gram' | 'secondMoment';
}

type Source =
  | { kind: 'data' }
  | { kind: 'gram'; gram: Matrix; count: number | null }
  | { kind: 'secondMoment'; secondMoment: Matrix };

function resolveSource(operation: string, input: DescrambleLayerInput<unknown>): Source {
  const given = [input.data, input.gram, input.secondMoment].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new InvalidArgumentError({ operation, argument: 'data', what: `give exactly one of data, gram, secondMoment (got ${given})`, ...descramblersScope });
  }
  assertMatrix(input.weights, { ...descramblersScope, operation, name: 'weights' });
  if (input.gram !== undefined) {
    if (input.bias !== undefined) {
      throw new InvalidArgumentError({ operation, argument: 'bias', what: 'a gram is already of preactivations; give bias only with data or secondMoment', ...descramblersScope });
    }
    if (input.gram instanceof GramAccumulator) {
      if (input.gram.count === 0) throw new EmptyDataError({ operation });
      if (input.sampleCount !== undefined && input.sampleCount !== input.gram.count) {
        throw new InvalidArgumentError({ operation, argument: 'sampleCount', what: `${input.sampleCount} differs from the accumulator's count ${input.gram.count}`, ...descramblersScope });
      }
      return { kind: 'gram', gram: input.gram.gram(), count: input.gram.count };
    }
    if (input.sampleCount === 0) throw new EmptyDataError({ operation });
    return { kind: 'gram', gram: input.gram, count: input.sampleCount ?? null };
  }
  if (input.sampleCount !== undefined && input.data !== undefined) {
    throw new InvalidArgumentError({ operation, argument: 'sampleCount', what: 'is counted from data; give it only with a Gram matrix', ...descramblersScope });
  }
  if (input.secondMoment !== undefined) return { kind: 'secondMoment', secondMoment: input.secondMoment };
  return { kind: 'data' };
}

function finish(
  operation: string,
  input: DescrambleLayerInput<unknown>,
  gram: Matrix,
  sampleCount: number | null,
  source: LayerDescrambler['source'],
): LayerDescrambler {
  const { weights } = input;
  input.signal?.throwIfAborted();
  const options: SmoothnessOptions = {
    ...(input.operator !== undefined && { operator: input.operator }),
    ...(input.smoothness !== undefined && { smoothness: input.smoothness }),
    ...(input.rescale !== undefined && { rescale: input.rescale }),
    ...(input.tolerance !== undefined && { tolerance: input.tolerance }),
    ...(input.group !== undefined && { group: input.group }),
    ...(sampleCount !== null && { sampleCount }),
    ...(input.label !== undefined && { label: input.label }),
    ...(input.signal !== undefined && { signal: input.signal }),
    // B = S S^T or W Gamma W^T: positive semidefinite by construction.
    positiveSemidefinite: true,
  };
  if (gram.rows !== weights.rows) {
    throw new DimensionMismatchError({ operation, what: 'gram shape (= weights rows)', expected: `${weights.rows} x ${weights.rows}`, actual: `${gram.rows} x ${gram.columns}`, ...descramblersScope });
  }
  let exact: ExactDescrambler;
  try {
    exact = exactDescramblerFor(operation, gram, options);
  } catch (error) {
    // An all-zero weight matrix is the usual cause of a zero B: say so.
    if (error instanceof ZeroMatrixError && error.what === 'gram' && isZero(weights)) {
      throw new ZeroMatrixError({ operation, what: 'weights', why: 'the layer weights are all zero' });
    }
    throw error;
  }
  const p = exact.P;
  let descrambledNextWeights: Matrix | undefined;
  if (input.nextWeights !== undefined) {
    assertMatrix(input.nextWeights, { ...descramblersScope, operation, name: 'nextWeights' });
    if (input.nextWeights.columns !== weights.rows) {
      throw new DimensionMismatchError({ operation, what: 'nextWeights columns (= weights rows)', expected: weights.rows, actual: input.nextWeights.columns, ...descramblersScope });
    }
    descrambledNextWeights = multiplyTransposeB(input.nextWeights, p);
  }
  let descrambledBias: Float64Array | undefined;
  if (input.bias !== undefined) {
    const b = checkBias(operation, input.bias, weights.rows);
    descrambledBias = new Float64Array(weights.rows);
    for (let i = 0; i < weights.rows; i++) {
      let s = 0;
      for (let k = 0; k < weights.rows; k++) s += p.get(i, k) * b[k]!;
      descrambledBias[i] = s;
    }
  }
  return {
    ...exact,
    descrambledWeights: multiply(p, weights),
    ...(descrambledBias !== undefined && { descrambledBias }),
    ...(descrambledNextWeights !== undefined && { descrambledNextWeights }),
    sampleCount,
    rankB: exact.gramRank,
    source,
  };
}

function isZero(m: Matrix): boolean {
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) if (m.get(i, j) !== 0) return false;
  return true;
}

function fromModel(operation: string, input: DescrambleLayerInput<unknown>, source: Source): LayerDescrambler | undefined {
  if (source.kind === 'gram') return finish(operation, input, source.gram, source.count, 'gram');
  if (source.kind === 'secondMoment') {
    const gram = secondMomentGram(operation, input.weights, source.secondMoment, input.bias, input.mean);
    return finish(operation, input, gram, null, 'secondMoment');
  }
  return undefined;
}

/**
 * Descrambles one layer exactly (Lemma 1). B is the Gram matrix of the preactivations
 * `S = W X^T (+ b)`, accumulated block by block from `data` (never materialising S), or
 * `gram` as given, or `W Gamma W^T` from the inputs' second moment (Theorem 1). Returns the
 * exact descrambler with its certificate, `P W`, `W_next P^T`, the sample count and rank B.
 * Fewer samples than neurons is allowed but flagged (`warnings`): B is rank deficient, the
 * answer is still optimal, and `rankB` and `familyDimension` say how much freedom is left.
 * B is positive semidefinite by construction (tiny negative eigenvalues are clamped, see
 * `clampedEigenvalues`). `label` names the layer (and file) in every error message.
 *
 * @throws DimensionMismatchError, NonFiniteInputError, NotSymmetricError, EmptyDataError,
 *   InvalidArgumentError, ZeroMatrixError (all-zero weights or data), GramOverflowError (a
 *   sample whose squares overflow float64), NotPositiveSemidefiniteError, the signal's reason
 */
export function descrambleLayer(input: DescrambleLayerInput): LayerDescrambler {
  const operation = labelled('descrambleLayer', input.label);
  input.signal?.throwIfAborted();
  const source = resolveSource(operation, input);
  const done = fromModel(operation, input, source);
  if (done !== undefined) return done;
  const builder = new LayerGramBuilder(operation, input.weights, input.bias, input.signal);
  feedData(operation, builder, input.data!, resolveBlockSize(operation, input.blockSize));
  if (builder.accumulator.count === 0) throw new EmptyDataError({ operation });
  return finish(operation, input, builder.accumulator.gram(), builder.accumulator.count, 'data');
}

/** `descrambleLayer` accepting asynchronous streams of row blocks (e.g. from files). */
export async function descrambleLayerAsync(input: DescrambleLayerInput<LayerDataStream>): Promise<LayerDescrambler> {
  const operation = labelled('descrambleLayerAsync', input.label);
  input.signal?.throwIfAborted();
  const source = resolveSource(operation, input);
  const done = fromModel(operation, input, source);
  if (done !== undefined) return done;
  const builder = new LayerGramBuilder(operation, input.weights, input.bias, input.signal);
  await feedDataAsync(operation, builder, input.data!, resolveBlockSize(operation, input.blockSize));
  if (builder.accumulator.count === 0) throw new EmptyDataError({ operation });
  return finish(operation, input, builder.accumulator.gram(), builder.accumulator.count, 'data');
}
