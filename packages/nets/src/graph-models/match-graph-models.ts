import type { OnnxModel } from '@descramble/io';
import { InvalidArgumentError, netsScope } from '../errors.js';
import { matchGraphs } from '../graph/match-graphs.js';
import { permuteGraph } from '../graph/permute-graph.js';
import { type InterpolationPath, interpolationPath } from '../interpolation/interpolation-path.js';
import type { OnnxRuntime } from '../runtime/onnx-runtime.js';
import { type BlockedGroup, type GraphSamples, graphChannelGroups, groupLayerNames, splitGroups, verificationFeeds } from './graph-samples.js';
import { checkedBytes, type GraphModelStage, type GraphVerification } from './permute-graph-model.js';

/** Options of `matchGraphModels`. */
export interface MatchGraphModelsOptions {
  /** Inputs of the same-function check and of the interpolation path (their first 1024); without them 64 seeded normal inputs. */
  readonly samples?: GraphSamples | undefined;
  /**
   * Targets of the samples, `rows` rows of the output's size (one per sample, in order): adds the
   * loss (mean squared error) and the loss barrier to the paths. Needs `samples`.
   */
  readonly targets?: { readonly values: Float64Array; readonly rows: number } | undefined;
  /** Seeded runs of coordinate descent, the best kept (default 4). */
  readonly restarts?: number;
  /** Seeds the restarts and the check's normal inputs (default 0). */
  readonly seed?: number;
  /** Sweeps per run at most (default 100). */
  readonly maxSweeps?: number;
  /** Points of the interpolation paths, ends included (default 11). */
  readonly steps?: number;
  readonly signal?: AbortSignal;
  readonly onStage?: (stage: GraphModelStage) => void;
}

/** One matched channel group of b: new channel i of b is old channel permutation[i]. */
export interface MatchedGroup {
  readonly group: number;
  readonly channels: number;
  readonly layers: string[];
  readonly permutation: number[];
}

/** Result of `matchGraphModels`. */
export interface MatchGraphModelsResult {
  readonly groups: readonly MatchedGroup[];
  readonly blockedGroups: readonly BlockedGroup[];
  /** `sum over layers <W_a, P_out W_b P_in^T>` before (identity) and after matching. */
  readonly objective: { readonly before: number; readonly after: number };
  /** The objective over `||W_a|| ||W_b||`: the cosine of all weights. */
  readonly similarity: { readonly before: number; readonly after: number };
  readonly restarts: { readonly count: number; readonly best: number; readonly objectives: readonly number[] };
  /** Sweeps of the best run. */
  readonly sweeps: number;
  /** Time spent matching. */
  readonly seconds: number;
  /** b with its channels permuted onto a, and its bytes. */
  readonly model: OnnxModel;
  readonly bytes: Uint8Array;
  readonly verification: GraphVerification;
  /** Whether both checks are within tolerance: only then are `bytes` the same function as b. */
  readonly sameFunction: boolean;
  /** The outputs along the straight line from a to b, before and after matching; null when the check failed (not run). */
  readonly interpolation: { readonly inputs: string; readonly before: InterpolationPath; readonly after: InterpolationPath } | null;
}

/**
 * `descramble match` on two ONNX graphs of one architecture: `matchGraphs` over a's channel
 * groups with seeded restarts, b permuted onto a (`permuteGraph` with b's own groups), checked
 * to compute b's function in ONNX Runtime, and the interpolation path between a and b before
 * and after matching (the measure weight matching is judged by).
 *
 * @throws GraphMismatchError when b's layers, shapes or groups are not a's.
 */
export async function matchGraphModels(runtime: OnnxRuntime, a: OnnxModel, b: OnnxModel, options: MatchGraphModelsOptions = {}): Promise<MatchGraphModelsResult> {
  const operation = 'matchGraphModels';
  const { samples, targets, signal } = options;
  const seed = options.seed ?? 0;
  const restarts = options.restarts ?? 4;
  const stage = options.onStage ?? (() => {});
  if (targets !== undefined && samples === undefined) {
    throw new InvalidArgumentError({ operation, argument: 'targets', what: 'are the targets of samples; give the samples', ...netsScope });
  }
  stage({ stage: 'channel-groups', model: 'a' });
  const analysisA = await graphChannelGroups(runtime, a, samples, operation);
  stage({ stage: 'channel-groups', model: 'b' });
  const analysisB = await graphChannelGroups(runtime, b, samples, operation);
  stage({ stage: 'match' });
  const started = performance.now();
  const result = matchGraphs(a, b, analysisA, { restarts, seed, ...(options.maxSweeps === undefined ? {} : { maxSweeps: options.maxSweeps }) });
  const seconds = (performance.now() - started) / 1000;
  signal?.throwIfAborted();
  const aligned = permuteGraph(b, analysisB, result.permutations);
  stage({ stage: 'verify' });
  const { feeds, rows, source } = await verificationFeeds(runtime, b, samples, seed, operation);
  const checked = await checkedBytes(runtime, b, aligned, feeds, source, operation, signal);
  const { permutable, blocked } = splitGroups(analysisA);
  const matched = {
    groups: permutable.map((group) => ({ group: group.id, channels: group.size, layers: groupLayerNames(group), permutation: Array.from(result.permutations.get(group.id) ?? []) })),
    blockedGroups: blocked,
    objective: { before: result.objectiveBefore, after: result.objectiveAfter },
    similarity: { before: result.cosineBefore, after: result.cosineAfter },
    restarts: { count: restarts, best: result.bestRestart, objectives: result.restartObjectives },
    sweeps: result.sweeps,
    seconds,
    model: aligned,
    ...checked,
  };
  if (!checked.sameFunction) return { ...matched, interpolation: null };
  stage({ stage: 'interpolation' });
  const perRow = targets === undefined ? 0 : targets.values.length / targets.rows;
  const pathOptions = {
    steps: options.steps ?? 11,
    ...(signal === undefined ? {} : { signal }),
    ...(targets === undefined ? {} : { targets: targets.values.subarray(0, rows * perRow) }),
  };
  const before = await interpolationPath(runtime, a, b, feeds, pathOptions);
  const after = await interpolationPath(runtime, a, aligned, feeds, pathOptions);
  return { ...matched, interpolation: { inputs: source, before, after } };
}
