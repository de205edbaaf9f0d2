/**
 * Weight matching of two networks with the same architecture (Ainsworth, Hayase and
 * Srinivasa, "Git Re-Basin", 2023): find permutations of the hidden units of network B
 * that maximise sum over layers of <W_a^l, P_l W_b^l P_{l-1}^T> (+ <b_a^l, P_l b_b^l>), by
 * coordinate descent: each step fixes every permutation but one and solves a linear
 * assignment for it, whose cost collects this layer's rows and the next layer's columns.
 */
import { assertFiniteArray } from '@descramble/core';
import { createRng, gemm } from '@descramble/linalg';
import { DimensionMismatchError, InvalidArgumentError, permutationScope } from './errors.js';
import { linearAssignmentKernel } from './linear-assignment-kernel.js';
import {
  type BatchNorm,
  type ConvLayer,
  type DenseLayer,
  permuteBatchNorm,
  permuteConvInputs,
  permuteConvLayer,
  permuteDenseInputs,
  permuteDenseLayer,
  permuteFlattenedInputs,
} from './permute-layers.js';

/** Options of the weight matchers. */
export interface WeightMatchingOptions {
  /** Seed of the random layer order of each sweep. Default 0. */
  readonly seed?: number;
  /** Maximum number of sweeps over all layers (default 100). */
  readonly maxSweeps?: number;
  /** Checked before every layer's assignment of every sweep: aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Outcome of a weight matching. */
export interface WeightMatchingResult<Net> {
  /** permutations[l] reorders the outputs of hidden layer l of network B (new unit i = old unit p[i]). */
  readonly permutations: Int32Array[];
  /** Network B reparametrised by the permutations: same function, aligned to A. */
  readonly aligned: Net;
  /** sum over layers of <W_a, aligned W_b> (+ biases): the maximised similarity. */
  readonly similarity: number;
  /** Sweeps performed. */
  readonly sweeps: number;
  /** True when the last sweep changed no permutation (a coordinate-wise maximum). */
  readonly converged: boolean;
}

/** Layer l viewed as a 3-tensor [out, in, r] (dense: r = 1; conv: r = kernel size; flatten: r = spatial). */
interface FlatLayer {
  readonly out: number;
  readonly inputs: number;
  readonly r: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array | undefined;
}

function denseFlat(layer: DenseLayer): FlatLayer {
  const out = layer.weight.rows;
  const inputs = layer.weight.columns;
  const weight = new Float64Array(out * inputs);
  for (let i = 0; i < out; i++) weight.set(layer.weight.getRow(i), i * inputs);
  return { out, inputs, r: 1, weight, bias: layer.bias };
}

/**
 * The coordinate-descent kernel on flat layers. `layers[l + 1].inputs === layers[l].out`;
 * permutations are sought for the outputs of layers 0..L-2.
 */
function matchFlat(
  a: FlatLayer[],
  b: FlatLayer[],
  options: WeightMatchingOptions,
): { permutations: Int32Array[]; similarity: number; sweeps: number; converged: boolean } {
  options.signal?.throwIfAborted();
  const hidden = a.length - 1;
  const permutations = Array.from({ length: hidden }, (_, l) => Int32Array.from({ length: a[l]!.out }, (_, i) => i));
  const rng = createRng(options.seed ?? 0);
  const maxSweeps = options.maxSweeps ?? 100;
  let sweeps = 0;
  let converged = hidden === 0;
  while (!converged && sweeps < maxSweeps) {
    sweeps++;
    // random layer order (Fisher-Yates)
    const order = Array.from({ length: hidden }, (_, l) => l);
    for (let k = hidden - 1; k > 0; k--) {
      const t = Math.floor(rng.uniform() * (k + 1));
      [order[k], order[t]] = [order[t]!, order[k]!];
    }
    let changed = false;
    for (const l of order) {
      options.signal?.throwIfAborted();
      const width = a[l]!.out;
      const cost = layerCost(a, b, permutations, l);
      for (let i = 0; i < cost.length; i++) cost[i] = -cost[i]!;
      const p = new Int32Array(width);
      linearAssignmentKernel(width, width, cost, p, 'auto', options.signal);
      // keep the old permutation on ties so that convergence is detected
      let oldScore = 0;
      let newScore = 0;
      const current = permutations[l]!;
      for (let i = 0; i < width; i++) {
        oldScore -= cost[i * width + current[i]!]!;
        newScore -= cost[i * width + p[i]!]!;
      }
      if (newScore > oldScore + 1e-12 * Math.abs(oldScore)) {
        permutations[l] = p;
        changed = true;
      }
    }
    converged = !changed;
  }
  return { permutations, similarity: similarityFlat(a, b, permutations), sweeps, converged };
}

/** cost[i * w + j] = similarity gained by giving new unit i of layer l the old unit j of B. */
function layerCost(a: FlatLayer[], b: FlatLayer[], permutations: Int32Array[], l: number): Float64Array {
  const la = a[l]!;
  const lb = b[l]!;
  const w = la.out;
  const cost = new Float64Array(w * w);
  const previous = l > 0 ? permutations[l - 1]! : undefined;
  // this layer's rows: sum_{k,t} Wa[i,k,t] Wb[j, prev(k), t]
  const block = la.inputs * la.r;
  const permutedRows = new Float64Array(w * block);
  for (let j = 0; j < w; j++) {
    for (let k = 0; k < la.inputs; k++) {
      const from = (j * lb.inputs + (previous === undefined ? k : previous[k]!)) * lb.r;
      permutedRows.set(lb.weight.subarray(from, from + lb.r), (j * la.inputs + k) * la.r);
    }
  }
  // cost = Wa Pb^T (+ the biases' outer product)
  gemm(false, true, w, w, block, 1, la.weight, 0, block, permutedRows, 0, block, 0, cost, 0, w);
  if (la.bias !== undefined && lb.bias !== undefined) gemm(false, false, w, w, 1, 1, la.bias, 0, 1, lb.bias, 0, w, 1, cost, 0, w);
  // next layer's columns: sum_r Wa'[r] Wb'[next(r)]^T, each block [r] the inputs x kernel matrix of output r
  const na = a[l + 1]!;
  const nb = b[l + 1]!;
  const next = l + 1 < permutations.length ? permutations[l + 1]! : undefined;
  for (let r = 0; r < na.out; r++) {
    const rb = next === undefined ? r : next[r]!;
    gemm(false, true, w, w, na.r, 1, na.weight, r * na.inputs * na.r, na.r, nb.weight, rb * nb.inputs * nb.r, nb.r, 1, cost, 0, w);
  }
  return cost;
}

function similarityFlat(a: FlatLayer[], b: FlatLayer[], permutations: Int32Array[]): number {
  let total = 0;
  for (let l = 0; l < a.length; l++) {
    const la = a[l]!;
    const lb = b[l]!;
    const rows = l < permutations.length ? permutations[l] : undefined;
    const cols = l > 0 ? permutations[l - 1] : undefined;
    for (let i = 0; i < la.out; i++) {
      const ib = rows === undefined ? i : rows[i]!;
      for (let k = 0; k < la.inputs; k++) {
        const kb = cols === undefined ? k : cols[k]!;
        for (let t = 0; t < la.r; t++) total += la.weight[(i * la.inputs + k) * la.r + t]! * lb.weight[(ib * lb.inputs + kb) * lb.r + t]!;
      }
      if (la.bias !== undefined && lb.bias !== undefined) total += la.bias[i]! * lb.bias[ib]!;
    }
  }
  return total;
}

function checkSameShapes(operation: string, a: FlatLayer[], b: FlatLayer[]): void {
  if (a.length !== b.length) throw new DimensionMismatchError({ operation, what: 'layer count', expected: a.length, actual: b.length, ...permutationScope });
  if (a.length === 0) throw new InvalidArgumentError({ operation, argument: 'a', what: 'a network needs at least one layer', ...permutationScope });
  for (let l = 0; l < a.length; l++) {
    const la = a[l]!;
    const lb = b[l]!;
    if (la.out !== lb.out || la.inputs !== lb.inputs || la.r !== lb.r) {
      throw new DimensionMismatchError({ operation, what: `layer ${l} shape`, expected: `[${la.out}, ${la.inputs}, ${la.r}]`, actual: `[${lb.out}, ${lb.inputs}, ${lb.r}]`, ...permutationScope });
    }
    if ((la.bias === undefined) !== (lb.bias === undefined)) {
      throw new InvalidArgumentError({ operation, argument: `layer ${l} bias`, what: 'present in one network only', ...permutationScope });
    }
    if (l > 0 && la.inputs !== a[l - 1]!.out) {
      throw new DimensionMismatchError({ operation, what: `layer ${l} inputs`, expected: a[l - 1]!.out, actual: la.inputs, ...permutationScope });
    }
    assertFiniteArray(la.weight, { ...permutationScope, operation, name: `a layer ${l} weight` });
    assertFiniteArray(lb.weight, { ...permutationScope, operation, name: `b layer ${l} weight` });
    if (la.bias !== undefined) assertFiniteArray(la.bias, { ...permutationScope, operation, name: `a layer ${l} bias` });
    if (lb.bias !== undefined) assertFiniteArray(lb.bias, { ...permutationScope, operation, name: `b layer ${l} bias` });
  }
}

/**
 * Weight matching of two MLPs (lists of dense layers, PyTorch layout out x in) with the
 * same architecture: returns permutations of B's hidden units that align it to A, and
 * the aligned B (same function as B, for any elementwise activations).
 */
export function matchMlpWeights(
  a: readonly DenseLayer[],
  b: readonly DenseLayer[],
  options: WeightMatchingOptions = {},
): WeightMatchingResult<DenseLayer[]> {
  const operation = 'matchMlpWeights';
  const fa = a.map(denseFlat);
  const fb = b.map(denseFlat);
  checkSameShapes(operation, fa, fb);
  const { permutations, similarity, sweeps, converged } = matchFlat(fa, fb, options);
  const aligned: DenseLayer[] = [];
  for (let l = 0; l < b.length; l++) {
    let layer = b[l]!;
    if (l < permutations.length) layer = permuteDenseLayer(layer, permutations[l]!);
    if (l > 0) layer = permuteDenseInputs(layer, permutations[l - 1]!);
    aligned.push(layer);
  }
  return { permutations, aligned, similarity, sweeps, converged };
}

/** A convolution followed optionally by a batch norm (in inference form). */
export interface CnnConvLayer extends ConvLayer {
  readonly batchNorm?: BatchNorm;
}

/** A CNN: convolutions (all 1-D or all 2-D), then a flatten, then dense layers. */
export interface Cnn {
  readonly conv: readonly CnnConvLayer[];
  readonly dense: readonly DenseLayer[];
}

function convFlat(layer: ConvLayer): FlatLayer {
  const [out, inputs] = layer.weight.shape as [number, number];
  return { out, inputs, r: layer.weight.data.length / (out * inputs), weight: layer.weight.data, bias: layer.bias };
}

/**
 * Weight matching of two CNNs (conv layers, flatten, dense layers) with the same
 * architecture. Conv out-channels are matched through their `[in, k...]` filters and the
 * next layer's input channels; the last conv's channels through the blocks of columns
 * of the first dense layer that read them after the flatten (channel-major, PyTorch).
 * Batch-norm statistics follow their channels but do not enter the similarity.
 */
export function matchCnnWeights(a: Cnn, b: Cnn, options: WeightMatchingOptions = {}): WeightMatchingResult<Cnn> {
  const operation = 'matchCnnWeights';
  if (a.conv.length === 0 || a.dense.length === 0) throw new InvalidArgumentError({ operation, argument: 'a', what: 'needs at least one conv and one dense layer', ...permutationScope });
  const toFlat = (net: Cnn): FlatLayer[] => {
    const conv = net.conv.map(convFlat);
    const last = conv[conv.length - 1]!;
    const dense = net.dense.map(denseFlat);
    const first = dense[0]!;
    if (first.inputs % last.out !== 0) {
      throw new DimensionMismatchError({ operation, what: 'first dense inputs', expected: `a multiple of ${last.out} channels`, actual: first.inputs, ...permutationScope });
    }
    const spatial = first.inputs / last.out;
    dense[0] = { ...first, inputs: last.out, r: spatial };
    return [...conv, ...dense];
  };
  if (a.conv.length !== b.conv.length || a.dense.length !== b.dense.length) {
    throw new DimensionMismatchError({ operation, what: 'layer counts', expected: `${a.conv.length} conv + ${a.dense.length} dense`, actual: `${b.conv.length} conv + ${b.dense.length} dense`, ...permutationScope });
  }
  const fa = toFlat(a);
  const fb = toFlat(b);
  checkSameShapes(operation, fa, fb);
  const { permutations, similarity, sweeps, converged } = matchFlat(fa, fb, options);
  const conv: CnnConvLayer[] = [];
  for (let l = 0; l < b.conv.length; l++) {
    const source = b.conv[l]!;
    let layer: ConvLayer = permuteConvLayer(source, permutations[l]!);
    if (l > 0) layer = permuteConvInputs(layer, permutations[l - 1]!);
    conv.push(source.batchNorm === undefined ? layer : { ...layer, batchNorm: permuteBatchNorm(source.batchNorm, permutations[l]!) });
  }
  const dense: DenseLayer[] = [];
  const nConv = b.conv.length;
  for (let l = 0; l < b.dense.length; l++) {
    const index = nConv + l;
    let layer = b.dense[l]!;
    if (index < permutations.length) layer = permuteDenseLayer(layer, permutations[index]!);
    if (l === 0) layer = permuteFlattenedInputs(layer, permutations[nConv - 1]!, fb[nConv]!.r);
    else layer = permuteDenseInputs(layer, permutations[index - 1]!);
    dense.push(layer);
  }
  return { permutations, aligned: { conv, dense }, similarity, sweeps, converged };
}

