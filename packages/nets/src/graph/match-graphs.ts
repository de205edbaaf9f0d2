import type { OnnxModel } from '@descramble/io';
import { createRng, gemm, type Rng } from '@descramble/linalg';
import { solveLinearAssignment } from '@descramble/permutation';
import { Matrix } from 'ml-matrix';
import { GraphMismatchError, InvalidArgumentError, netsScope } from '../errors.js';
import { type ChannelGroupAnalysis, channelGroups } from './channel-groups.js';
import { graphLayers, layerWeightMatrix } from './graph-layers.js';

/** Options of {@link matchGraphs}. */
export interface GraphMatchOptions {
  /** Runs of coordinate descent: the first from the identity in group order, the others from random permutations in random group orders. Default 4. */
  readonly restarts?: number;
  /** Seed of the random restarts. Default 0. */
  readonly seed?: number;
  /** Sweeps over the groups per run at most. Default 100. */
  readonly maxSweeps?: number;
}

/** Weight matching of graph b onto graph a over their permutable channel groups. */
export interface GraphMatchResult {
  /** Per permutable group id: new channel i of b is old channel `p[i]` (pass to `permuteGraph(b, analysisOfB, permutations)`). */
  readonly permutations: ReadonlyMap<number, Int32Array>;
  /** `sum over layers <W_a, W_b>` before matching. */
  readonly objectiveBefore: number;
  /** `sum over layers <W_a, P_out W_b P_in^T>` after. */
  readonly objectiveAfter: number;
  /** `objectiveBefore / (||W_a|| ||W_b||)`, norms over all layers' weights together. */
  readonly cosineBefore: number;
  /** `objectiveAfter / (||W_a|| ||W_b||)`. */
  readonly cosineAfter: number;
  /** Sweeps of the best run. */
  readonly sweeps: number;
  /** Which run was best (0: the one from the identity). */
  readonly bestRestart: number;
  /** The objective each run reached. */
  readonly restartObjectives: readonly number[];
  /** The channel groups of a that were matched. */
  readonly analysis: ChannelGroupAnalysis;
}

/** One linear layer as matching sees it: both weight matrices and the groups on its sides. */
interface MatchedLayer {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly units: number;
  readonly fanIn: number;
  readonly sides: readonly Side[];
}

/** A group on a layer: rows `start + j` (`out`, all rows or a part: a slice, a head), or column blocks `[start + j block, start + (j + 1) block)` of channel j (`in`). */
interface Side {
  readonly group: number;
  readonly out: boolean;
  readonly start: number;
  readonly block: number;
}

/**
 * Weight matching (git re-basin) of graph b onto graph a over the permutable channel groups of
 * a: maximises `sum over linear layers <W_a, P_out W_b P_in^T>` of the `units x fanIn` weight
 * matrices, where a group permutes a layer's rows when it holds its units (all of them, or a
 * part: a slice, the dims of attention heads) and its input channels (whole, a slice, or
 * blocks of a flattened axis) when the layer reads it. Coordinate
 * descent: each step fixes every group but one and solves for that one exactly, a linear
 * assignment on `sum over its sides of <channel i of a, channel j of b>`; a step is kept only
 * when it raises the objective, so every run ends at a point no single group can improve. The
 * best of `restarts` seeded runs is returned.
 *
 * `analysisOrShapes` is a's channel-group analysis, or the value shapes of a from which it is
 * computed. The two graphs must have the same architecture (b's layers are checked); the
 * group ids then coincide with those of `channelGroups(b, ...)`.
 */
export function matchGraphs(
  modelA: OnnxModel,
  modelB: OnnxModel,
  analysisOrShapes: ChannelGroupAnalysis | ReadonlyMap<string, readonly number[]>,
  options: GraphMatchOptions = {},
): GraphMatchResult {
  const operation = 'matchGraphs';
  const restarts = options.restarts ?? 4;
  const seed = options.seed ?? 0;
  const maxSweeps = options.maxSweeps ?? 100;
  if (!Number.isInteger(restarts) || restarts < 1) throw new InvalidArgumentError({ operation, argument: 'restarts', what: `expected an integer >= 1, got ${restarts}`, ...netsScope });
  if (!Number.isInteger(maxSweeps) || maxSweeps < 1) throw new InvalidArgumentError({ operation, argument: 'maxSweeps', what: `expected an integer >= 1, got ${maxSweeps}`, ...netsScope });
  const analysis = 'groups' in analysisOrShapes ? (analysisOrShapes as ChannelGroupAnalysis) : channelGroups(modelA, analysisOrShapes as ReadonlyMap<string, readonly number[]>);
  const layersB = graphLayers(modelB);
  if (layersB.length !== analysis.layers.length) throw new GraphMismatchError({ operation, difference: `${analysis.layers.length} linear layers in the first graph, ${layersB.length} in the second` });
  const groups = analysis.groups.filter((g) => g.permutable);
  const sizes = new Map(groups.map((g) => [g.id, g.size]));
  const layers: MatchedLayer[] = analysis.layers.map((layer, k) => {
    const other = layersB[k]!;
    for (const field of ['name', 'opType', 'units', 'fanIn', 'inChannels'] as const) {
      if (other[field] !== layer[field]) throw new GraphMismatchError({ operation, difference: `layer ${k} (${JSON.stringify(layer.name)}) has ${field} ${JSON.stringify(layer[field])} in the first graph, ${JSON.stringify(other[field])} in the second` });
    }
    const kernel = layer.fanIn / layer.inChannels;
    const sides: Side[] = [];
    for (const group of groups) {
      for (const side of group.layers) {
        if (side.layer !== layer.name) continue;
        sides.push(side.side === 'out' ? { group: group.id, out: true, start: side.offset, block: 1 } : { group: group.id, out: false, start: side.offset * kernel, block: side.block * kernel });
      }
    }
    return { a: layerWeightMatrix(modelA, layer).data, b: layerWeightMatrix(modelB, other).data, units: layer.units, fanIn: layer.fanIn, sides };
  });
  let normA = 0;
  let normB = 0;
  for (const layer of layers) {
    normA += dot(layer.a, layer.a);
    normB += dot(layer.b, layer.b);
  }
  const scale = Math.sqrt(normA * normB);
  const identity = new Map(groups.map((g) => [g.id, Int32Array.from({ length: g.size }, (_, i) => i)]));
  const objectiveBefore = objective(layers, identity);
  const rng = createRng(seed);
  let best: { perms: Map<number, Int32Array>; value: number; sweeps: number; restart: number } | null = null;
  const restartObjectives: number[] = [];
  for (let restart = 0; restart < restarts; restart++) {
    const order = groups.map((g) => g.id);
    const perms = new Map(identity);
    if (restart > 0) {
      shuffle(rng, order);
      for (const id of order) perms.set(id, shuffle(rng, Int32Array.from({ length: sizes.get(id)! }, (_, i) => i)));
    }
    const run = descend(layers, perms, order, sizes, maxSweeps);
    restartObjectives.push(run.value);
    if (best === null || run.value > best.value) best = { perms, value: run.value, sweeps: run.sweeps, restart };
  }
  const result = best!;
  return {
    permutations: result.perms,
    objectiveBefore,
    objectiveAfter: result.value,
    cosineBefore: scale === 0 ? 0 : objectiveBefore / scale,
    cosineAfter: scale === 0 ? 0 : result.value / scale,
    sweeps: result.sweeps,
    bestRestart: result.restart,
    restartObjectives,
    analysis,
  };
}

/** Coordinate descent from `perms` (updated in place); returns the objective reached and the sweeps taken. */
function descend(layers: readonly MatchedLayer[], perms: Map<number, Int32Array>, order: readonly number[], sizes: ReadonlyMap<number, number>, maxSweeps: number): { value: number; sweeps: number } {
  let value = objective(layers, perms);
  let sweeps = 0;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    sweeps = sweep + 1;
    let changed = false;
    for (const id of order) {
      const n = sizes.get(id)!;
      const cost = assignmentCost(layers, perms, id, n);
      const current = perms.get(id)!;
      let currentValue = 0;
      for (let i = 0; i < n; i++) currentValue += cost[i * n + current[i]!]!;
      const rows = Array.from({ length: n }, (_, i) => Array.from(cost.subarray(i * n, (i + 1) * n)));
      const solution = solveLinearAssignment(new Matrix(rows), { maximize: true });
      // keep a step only when it is a clear gain: ties would cycle
      if (solution.cost <= currentValue + 1e-12 * Math.max(1, Math.abs(currentValue))) continue;
      const candidate = Int32Array.from(solution.assignment);
      perms.set(id, candidate);
      const next = objective(layers, perms);
      // a group on both sides of one layer makes the step a linearisation: undo it if it did not pay
      if (next <= value) {
        perms.set(id, current);
        continue;
      }
      value = next;
      changed = true;
    }
    if (!changed) break;
  }
  return { value, sweeps };
}

/** `cost[i, j] = sum over the group's sides of <channel i of a, channel j of b>`, b permuted by every other side. */
function assignmentCost(layers: readonly MatchedLayer[], perms: ReadonlyMap<number, Int32Array>, group: number, n: number): Float64Array {
  const cost = new Float64Array(n * n);
  for (const layer of layers) {
    layer.sides.forEach((side, s) => {
      if (side.group !== group) return;
      const b = permutedB(layer, perms, s);
      if (side.out) {
        gemm(false, true, n, n, layer.fanIn, 1, layer.a, side.start * layer.fanIn, layer.fanIn, b, side.start * layer.fanIn, layer.fanIn, 1, cost, 0, n);
        return;
      }
      const width = layer.units * side.block;
      const slabA = channelSlab(layer.a, layer, side, n);
      const slabB = channelSlab(b, layer, side, n);
      gemm(false, true, n, n, width, 1, slabA, 0, width, slabB, 0, width, 1, cost, 0, n);
    });
  }
  return cost;
}

/** Row j: channel j's column block of every unit, side by side (`n x units block`). */
function channelSlab(matrix: Float64Array, layer: MatchedLayer, side: Side, n: number): Float64Array {
  const width = layer.units * side.block;
  const slab = new Float64Array(n * width);
  for (let j = 0; j < n; j++) {
    for (let u = 0; u < layer.units; u++) {
      const from = u * layer.fanIn + side.start + j * side.block;
      slab.set(matrix.subarray(from, from + side.block), j * width + u * side.block);
    }
  }
  return slab;
}

/** b with every side's permutation applied except side `skip`. */
function permutedB(layer: MatchedLayer, perms: ReadonlyMap<number, Int32Array>, skip: number): Float64Array {
  let current = layer.b;
  layer.sides.forEach((side, s) => {
    if (s === skip) return;
    const p = perms.get(side.group)!;
    const next = current.slice();
    const { fanIn, units } = layer;
    if (side.out) {
      for (let i = 0; i < p.length; i++) next.set(current.subarray((side.start + p[i]!) * fanIn, (side.start + p[i]! + 1) * fanIn), (side.start + i) * fanIn);
    } else {
      for (let u = 0; u < units; u++) {
        for (let i = 0; i < p.length; i++) {
          const from = u * fanIn + side.start + p[i]! * side.block;
          next.set(current.subarray(from, from + side.block), u * fanIn + side.start + i * side.block);
        }
      }
    }
    current = next;
  });
  return current;
}

function objective(layers: readonly MatchedLayer[], perms: ReadonlyMap<number, Int32Array>): number {
  let total = 0;
  for (const layer of layers) total += dot(layer.a, permutedB(layer, perms, -1));
  return total;
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

function shuffle<T extends { length: number; [index: number]: number }>(rng: Rng, values: T): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const swap = values[i]!;
    values[i] = values[j]!;
    values[j] = swap;
  }
  return values;
}
