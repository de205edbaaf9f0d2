import { type OnnxModel, readOnnx, writeOnnx } from '@descramble/io';
import { createRng } from '@descramble/linalg';
import { type ChannelGroup, type ChannelGroupAnalysis, compareGraphOutputs, groupGram, groupPlacements, type OutputComparison, type RuntimeTensor } from '@descramble/nets';
import type { Matrix } from 'ml-matrix';
import { CliError } from './cli-errors.js';
import type { CommandContext } from './command.js';
import { ROWS_PER_BLOCK } from './gram-tasks.js';
import { graphRuntime, inputTensor, type LoadedGraph } from './graph-models.js';
import type { SampleSource } from './inputs.js';
import type { LayerGram } from './model-analysis.js';

/**
 * Largest acceptable output difference of a permuted ONNX model, relative to the output's
 * largest entry: float32 roundoff of a reordered sum (the reordering changes the order of
 * additions in every matrix product, about sqrt(fan-in) * 2^-24 per layer, compounded over
 * the depth). Float64 models are held to 1e-12.
 */
export const GRAPH_TOLERANCE = { float32: 1e-4, float64: 1e-12 } as const;

/** The permutable groups, and the others with why they stay put. */
export function splitGroups(analysis: ChannelGroupAnalysis): { permutable: ChannelGroup[]; blocked: { id: number; size: number; layers: string[]; reason: string }[] } {
  const permutable = analysis.groups.filter((group) => group.permutable);
  const blocked = analysis.groups
    .filter((group) => !group.permutable)
    .map((group) => ({ id: group.id, size: group.size, layers: groupLayerNames(group), reason: group.blockedBy?.reason ?? 'not permutable' }));
  return { permutable, blocked };
}

/** `layer.out`, `layer.in` (`layer.in@4`: from input position 4) labels of the layer sides a group covers. */
export function groupLayerNames(group: ChannelGroup): string[] {
  // a part of a layer's units or inputs (a Concat slice, an attention head) shows where it starts
  return group.layers.map((side) => `${side.layer}.${side.side}${side.offset === 0 ? '' : `@${side.offset}`}`);
}

/** The layers whose output units a group is: their Grams are the group's data. */
export function producers(group: ChannelGroup): string[] {
  return [...new Set(groupPlacements(group).map((placement) => placement.layer))];
}

/** The group's Gram (nets' `groupGram`: each placement's block at unit trace, summed), with its provenance. */
export function groupData(group: ChannelGroup, grams: ReadonlyMap<string, LayerGram>): { gram: Matrix; count: number | null; source: LayerGram['source'] } {
  const first = grams.get(producers(group)[0] ?? '');
  if (first === undefined) throw new CliError(`internal: no Gram for channel group ${group.id}`, 2);
  const matrices = new Map([...grams].map(([name, entry]) => [name, entry.gram] as const));
  return { gram: groupGram(group, matrices), count: first.count, source: first.source };
}

/** Feeds for checking a permuted model: up to `maxRows` samples of the data, or seeded normal inputs. */
export async function verificationFeeds(
  graph: LoadedGraph,
  samples: SampleSource | undefined,
  seed: number,
  maxRows = 1024,
): Promise<{ feeds: Record<string, RuntimeTensor>; source: string }> {
  const runtime = await graphRuntime();
  let rows: number;
  let shape: number[];
  let values: Float64Array;
  let source: string;
  if (samples === undefined) {
    if (graph.input.dtype.startsWith('int')) {
      throw new CliError(`${graph.file}: the graph takes ${graph.input.dtype} inputs (token ids, indices), which random normal inputs cannot stand for; pass --data`, 1);
    }
    shape = (graph.input.sampleShape ?? []).map((dim) => (typeof dim === 'number' ? dim : Number.NaN));
    if (shape.some((dim) => !Number.isInteger(dim))) {
      throw new CliError(`${graph.file}: the graph input has symbolic dimensions past the batch axis; pass --data so that the check has inputs`, 1);
    }
    rows = 64;
    const rng = createRng(seed);
    values = Float64Array.from({ length: rows * shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    source = `64 standard normal inputs (seed ${seed})`;
  } else {
    rows = Math.min(maxRows, samples.rows);
    shape = [...samples.sampleShape];
    values = new Float64Array(rows * samples.columns);
    let filled = 0;
    for await (const block of samples.blocks(ROWS_PER_BLOCK, { start: 0, end: rows })) {
      values.set(block.data, filled * samples.columns);
      filled += block.rows;
    }
    source = `the first ${rows} samples of ${samples.file}`;
  }
  return { feeds: { [graph.input.name]: inputTensor(runtime, graph, values, [rows, ...shape]) }, source };
}

/** Checks that `candidate` computes what `original` does; throws (nothing written) when it does not. */
export async function checkSameFunction(
  graph: LoadedGraph,
  candidate: OnnxModel,
  feeds: Record<string, RuntimeTensor>,
  what: string,
  context: CommandContext,
): Promise<OutputComparison & { tolerance: number }> {
  const runtime = await graphRuntime();
  if (context.signal.aborted) throw context.signal.reason;
  const comparison = await compareGraphOutputs(runtime, graph.model, candidate, feeds);
  // an integer input (token ids) feeds float32 weights in PyTorch exports
  const tolerance = GRAPH_TOLERANCE[graph.input.dtype === 'float64' ? 'float64' : 'float32'];
  if (!(comparison.maxRelativeDifference <= tolerance)) {
    throw new CliError(
      `${what}: outputs differ from the original by up to ${comparison.maxRelativeDifference.toExponential(3)} of their size (allowed ${tolerance.toExponential(0)}); nothing was written`,
      1,
    );
  }
  return { ...comparison, tolerance };
}

/** The permuted model as bytes, read back and checked again: what is written is what was checked. */
export async function permutedBytes(
  graph: LoadedGraph,
  permuted: OnnxModel,
  feeds: Record<string, RuntimeTensor>,
  context: CommandContext,
): Promise<{ bytes: Uint8Array; inMemory: OutputComparison & { tolerance: number }; readBack: OutputComparison & { tolerance: number } }> {
  const inMemory = await checkSameFunction(graph, permuted, feeds, 'permuted model', context);
  const bytes = writeOnnx(permuted);
  const readBack = await checkSameFunction(graph, readOnnx(bytes), feeds, 'permuted.onnx read back', context);
  return { bytes, inMemory, readBack };
}
