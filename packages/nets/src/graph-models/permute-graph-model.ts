import { type OnnxModel, readOnnx, writeOnnx } from '@descramble/io';
import type { SecondDerivativeKind } from '@descramble/linalg';
import { descrambleChannels, quadraticAssignmentValue, smoothnessMatrix } from '@descramble/permutation';
import { Matrix } from 'ml-matrix';
import type { BiasMode, CaptureProgress } from '../capture.js';
import type { ChannelGroup, ChannelGroupAnalysis } from '../graph/channel-groups.js';
import { layerWeightMatrix } from '../graph/graph-layers.js';
import { groupPlacements } from '../graph/group-gram.js';
import { permuteGraph } from '../graph/permute-graph.js';
import type { OnnxRuntime, RuntimeSessionOptions, RuntimeTensor } from '../runtime/onnx-runtime.js';
import { tensorToMatrix } from '../tensor.js';
import {
  type BlockedGroup,
  type GraphSamples,
  graphChannelGroups,
  capturedLayerGrams,
  isotropicLayerGrams,
  groupData,
  groupLayerNames,
  groupWriters,
  passes,
  type SameFunctionCheck,
  sameFunctionCheck,
  splitGroups,
  verificationFeeds,
} from './graph-samples.js';

/**
 * The stage a graph command is in, reported as it starts, so that a caller can word a failure
 * for where it happened (a runtime error while capturing is the data's or the model's; while
 * matching, the second model's).
 */
export type GraphModelStage =
  | { readonly stage: 'channel-groups'; readonly model: 'a' | 'b' }
  | { readonly stage: 'grams'; readonly layers: number; readonly samples: number | null; readonly blocked: readonly BlockedGroup[] }
  | { readonly stage: 'solve' }
  | { readonly stage: 'match' }
  | { readonly stage: 'verify' }
  | { readonly stage: 'interpolation' };

/** Options of `permuteGraphModel`. */
export interface PermuteGraphModelOptions {
  /** The data: the Grams are captured from them and the check runs on their first 1024; without them W W^T and 64 seeded normal inputs. */
  readonly samples?: GraphSamples | undefined;
  /** The smoothness operator D of `A = D^T D` (default `fourier`). */
  readonly operator?: SecondDerivativeKind;
  /** Whether the Grams' data include the bias (default `exclude`). */
  readonly bias?: BiasMode;
  /** Seeds the assignment solver and the check's normal inputs (default 0). */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onStage?: (stage: GraphModelStage) => void;
  /** Progress of the Gram capture. */
  readonly onProgress?: (progress: CaptureProgress) => void;
  /** Passed to every `InferenceSession.create` of the capture (threads). */
  readonly sessionOptions?: RuntimeSessionOptions;
}

/** One permuted channel group: the smoothest-first order and the evidence for it. */
export interface PermutedGroup {
  readonly group: number;
  readonly channels: number;
  /** The layer sides it covers (`groupLayerNames`). */
  readonly layers: string[];
  readonly gramSource: 'data' | 'isotropic';
  readonly sampleCount: number | null;
  readonly bias: BiasMode;
  readonly operator: SecondDerivativeKind;
  /** New channel i is old channel permutation[i]. */
  readonly permutation: number[];
  /** Smoothness `tr(A P B P^T)` of the new order. */
  readonly value: number;
  /** Smoothness of the order as trained. */
  readonly identityValue: number;
  readonly lowerBound: number;
  readonly gap: number;
  readonly solver: { readonly method: string; readonly proved: boolean; readonly iterations: number; readonly seconds: number };
}

/** The check that the permuted model computes the original's function, in memory and read back from its bytes. */
export interface GraphVerification {
  /** What the feeds were. */
  readonly inputs: string;
  readonly tolerance: number;
  readonly inMemory: SameFunctionCheck;
  readonly onnx: SameFunctionCheck;
}

/** Result of `permuteGraphModel`. */
export interface PermuteGraphModelResult {
  /** The channel groups found; `groups` and `blockedGroups` refer to their ids. */
  readonly analysis: ChannelGroupAnalysis;
  readonly groups: readonly PermutedGroup[];
  readonly blockedGroups: readonly BlockedGroup[];
  /** The permuted model and its bytes; null when no group can be permuted (then nothing else was done). */
  readonly model: OnnxModel | null;
  readonly bytes: Uint8Array | null;
  readonly verification: GraphVerification | null;
  /** Whether both checks are within tolerance: only then are `bytes` the same function. */
  readonly sameFunction: boolean;
}

/**
 * `descramble permute` on any ONNX graph: the channel groups (which axes move together:
 * residual streams, normalisations, concatenations), one smoothest-first permutation per
 * permutable group (`descrambleChannels` on the group's Gram from the layers that write it),
 * the permuted model written, read back and run against the original in ONNX Runtime. A failed
 * check is reported (`sameFunction` false), not thrown: the caller decides not to write.
 */
export async function permuteGraphModel(runtime: OnnxRuntime, model: OnnxModel, options: PermuteGraphModelOptions = {}): Promise<PermuteGraphModelResult> {
  const operation = 'permuteGraphModel';
  const { samples, signal } = options;
  const operator = options.operator ?? 'fourier';
  const bias = options.bias ?? 'exclude';
  const seed = options.seed ?? 0;
  const stage = options.onStage ?? (() => {});
  stage({ stage: 'channel-groups', model: 'a' });
  const analysis = await graphChannelGroups(runtime, model, samples, operation);
  const { permutable, blocked } = splitGroups(analysis);
  if (permutable.length === 0) return { analysis, groups: [], blockedGroups: blocked, model: null, bytes: null, verification: null, sameFunction: false };
  const producing = new Set(permutable.flatMap(groupWriters));
  const layers = analysis.layers.filter((layer) => producing.has(layer.name));
  stage({ stage: 'grams', layers: layers.length, samples: samples?.rows ?? null, blocked });
  const grams =
    samples === undefined
      ? isotropicLayerGrams(model, layers, bias)
      : await capturedLayerGrams(runtime, model, layers, samples, {
          bias,
          ...(signal === undefined ? {} : { signal }),
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
          ...(options.sessionOptions === undefined ? {} : { sessionOptions: options.sessionOptions }),
        });
  stage({ stage: 'solve' });
  const permutations = new Map<number, Int32Array>();
  const groups: PermutedGroup[] = [];
  for (const group of permutable) {
    signal?.throwIfAborted();
    const { gram, count, source } = groupData(group, grams);
    const solveStart = performance.now();
    const result = descrambleChannels(gram, { operator, signed: false, activation: 'other', solver: { seed } });
    const seconds = (performance.now() - solveStart) / 1000;
    const identity = Int32Array.from({ length: gram.rows }, (_, i) => i);
    const identityValue = quadraticAssignmentValue(smoothnessMatrix(gram.rows, operator), gram, identity);
    permutations.set(group.id, result.permutation);
    groups.push({
      group: group.id,
      channels: group.size,
      layers: groupLayerNames(group),
      gramSource: source,
      sampleCount: count,
      bias,
      operator,
      permutation: Array.from(result.permutation),
      value: result.value,
      identityValue,
      lowerBound: result.lowerBound,
      gap: result.gap,
      solver: { method: result.assignment.method, proved: result.assignment.proved, iterations: result.assignment.iterations, seconds },
    });
  }
  const permuted = permuteGraph(model, analysis, permutations);
  stage({ stage: 'verify' });
  const { feeds, source } = await verificationFeeds(runtime, model, samples, seed, operation);
  const checked = await checkedBytes(runtime, model, permuted, feeds, source, operation, signal);
  return { analysis, groups, blockedGroups: blocked, model: permuted, ...checked };
}

/** The permuted model as bytes, checked in memory and read back from them: what is written is what was checked. */
export async function checkedBytes(
  runtime: OnnxRuntime,
  original: OnnxModel,
  permuted: OnnxModel,
  feeds: Record<string, RuntimeTensor>,
  source: string,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<{ bytes: Uint8Array; verification: GraphVerification; sameFunction: boolean }> {
  signal?.throwIfAborted();
  const inMemory = await sameFunctionCheck(runtime, original, permuted, feeds, operation);
  const bytes = writeOnnx(permuted);
  signal?.throwIfAborted();
  const onnx = await sameFunctionCheck(runtime, original, readOnnx(bytes), feeds, operation);
  return { bytes, verification: { inputs: source, tolerance: inMemory.tolerance, inMemory, onnx }, sameFunction: passes(inMemory) && passes(onnx) };
}

/**
 * The rows of the first layer that writes `group`, as trained and in the new order (new row i
 * is old row permutation[i]): all of the layer's units, or the part the group is (a head's
 * dimensions). What a heatmap of a permuted group shows; undefined when no layer writes it.
 * `analysis` is the one `permuteGraphModel` returned.
 */
export function groupWeightRows(
  model: OnnxModel,
  analysis: ChannelGroupAnalysis,
  group: ChannelGroup,
  permutation: ArrayLike<number>,
): { layer: string; trained: Matrix; permuted: Matrix } | undefined {
  const placement = groupPlacements(group)[0];
  const layer = placement === undefined ? undefined : analysis.layers.find((candidate) => candidate.name === placement.layer);
  if (layer === undefined || placement === undefined) return undefined;
  const all = tensorToMatrix(layerWeightMatrix(model, layer));
  const trained = all.rows === group.size ? all : all.subMatrix(placement.offset, placement.offset + group.size - 1, 0, all.columns - 1);
  const permuted = new Matrix(trained.rows, trained.columns);
  for (let row = 0; row < trained.rows; row++) permuted.setRow(row, trained.getRow(permutation[row] as number));
  return { layer: layer.name, trained, permuted };
}
