import type { OnnxModel, OnnxNodeDescription, Tensor } from '@descramble/io';
import { writeOnnx } from '@descramble/io';
import type { BiasMode } from '../capture.js';
import { InvalidArgumentError, MissingTensorError, netsScope } from '../errors.js';

/**
 * A linear layer of an ONNX graph whose output is to be captured: the Gram over its units of
 * `S`, the tapped value without (or with) its bias, summed over samples and every other axis.
 * Layer discovery produces these (its layers have these fields and more).
 */
export interface CaptureTarget {
  /** Layer name (module path), used in results and messages. */
  readonly name: string;
  /** Graph value to tap: a node output (or a graph input). */
  readonly output: string;
  /** Value (usually an initializer) holding the layer's bias, or null when it has none. */
  readonly bias: string | null;
  /** Multiplies the bias (Gemm's beta; else 1). */
  readonly biasScale: number;
  /** Whether `output` already contains `biasScale * bias` (a Gemm, a Conv) or not (a MatMul followed by an Add). */
  readonly biasIncluded: boolean;
  /** Axis of `output` holding the units; negative counts from the end (-1 = last). */
  readonly channelAxis: number;
  /** Number of units: the Gram's dimension. */
  readonly units: number;
}

/** A block `S[:, rows]^T S[:, columns]` of a target's Gram, as a graph output. */
export interface GramBlock {
  /** Graph output holding the block (float64, row-major). */
  readonly name: string;
  /** First unit of its rows. */
  readonly row: number;
  readonly rows: number;
  /** First unit of its columns. */
  readonly column: number;
  readonly columns: number;
}

/** What the graph built by `gramGraph` returns per target. */
export interface GramGraphOutputs {
  /** The blocks on and above the diagonal of the block's Gram, which together give all of it. */
  readonly blocks: readonly GramBlock[];
  /** The tapped value's shape (int64), to check the unit axis and count the rows. */
  readonly shape: string;
}

/**
 * Units per block of the Gram. The runtime's Gemm does not know that `S^T S` is symmetric, so
 * the Gram is formed as the upper triangle of blocks of this many units: ceil(d / 128) = k blocks
 * per side cost k (k + 1) / 2 products instead of k^2 (d = 1024: 36 of 64). Measured on the
 * 784-1024-1024-10 benchmark, 128 beat 256 and 64 (docs/performance.md).
 */
export const GRAM_BLOCK_UNITS = 128;

const DOUBLE = 11; // TensorProto.DOUBLE

/**
 * The model's bytes with, for every target, nodes that turn its tapped value into `S` (float64,
 * units last, one row per sample and position, bias removed or added as `bias` asks) and then
 * into the upper blocks of that batch's Gram `S^T S`. The graph's outputs are replaced by these,
 * so the runtime skips what the captures do not need. The model is not modified.
 */
export function gramGraph(model: OnnxModel, targets: readonly CaptureTarget[], bias: BiasMode, operation: string): { bytes: Uint8Array; outputs: GramGraphOutputs[] } {
  const graph = model.graph;
  const values = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name), ...graph.nodes.flatMap((n) => n.outputs)]);
  let prefix = 'descramble.capture/';
  while ([...values].some((name) => name.startsWith(prefix))) prefix = `_${prefix}`;
  const nodes: OnnxNodeDescription[] = [];
  const initializers = new Map<string, Tensor>(graph.initializers);
  const outputs: GramGraphOutputs[] = [];
  const int64 = (name: string, entries: readonly number[]): string => {
    initializers.set(name, { dtype: 'int64', shape: [entries.length], data: BigInt64Array.from(entries, (v) => BigInt(v)) });
    return name;
  };
  const names = new Set<string>();
  targets.forEach((target, index) => {
    checkTarget(target, values, names, operation);
    const p = `${prefix}${index}/`;
    const units = target.units;
    let rows = `${p}rows`;
    if (target.channelAxis === -1) {
      nodes.push({ opType: 'Reshape', name: `${p}Reshape`, inputs: [target.output, int64(`${p}rows_shape`, [-1, units])], outputs: [rows] });
    } else {
      // [before, units, after] whatever the rank: Flatten at the unit axis, split off the units, move them last
      nodes.push({ opType: 'Flatten', name: `${p}Flatten`, inputs: [target.output], outputs: [`${p}flat`], attributes: { axis: { type: 'int', value: target.channelAxis } } });
      nodes.push({ opType: 'Reshape', name: `${p}Split`, inputs: [`${p}flat`, int64(`${p}split_shape`, [0, units, -1])], outputs: [`${p}split`] });
      nodes.push({ opType: 'Transpose', name: `${p}Transpose`, inputs: [`${p}split`], outputs: [`${p}last`], attributes: { perm: { type: 'ints', value: [0, 2, 1] } } });
      nodes.push({ opType: 'Reshape', name: `${p}Reshape`, inputs: [`${p}last`, int64(`${p}rows_shape`, [-1, units])], outputs: [rows] });
    }
    nodes.push({ opType: 'Cast', name: `${p}Cast`, inputs: [rows], outputs: [`${p}rows64`], attributes: { to: { type: 'int', value: DOUBLE } } });
    rows = `${p}rows64`;
    const adjust = target.bias === null ? null : bias === 'exclude' && target.biasIncluded ? 'Sub' : bias === 'include' && !target.biasIncluded ? 'Add' : null;
    if (adjust !== null) {
      // subtracted in float64 from the float32 output: S is then exact up to the output's own rounding
      nodes.push({ opType: 'Cast', name: `${p}BiasCast`, inputs: [target.bias!], outputs: [`${p}bias64`], attributes: { to: { type: 'int', value: DOUBLE } } });
      nodes.push({ opType: 'Reshape', name: `${p}BiasReshape`, inputs: [`${p}bias64`, int64(`${p}bias_shape`, [1, units])], outputs: [`${p}bias_row`] });
      let offset = `${p}bias_row`;
      if (target.biasScale !== 1) {
        initializers.set(`${p}bias_scale`, { dtype: 'float64', shape: [], data: Float64Array.of(target.biasScale) });
        nodes.push({ opType: 'Mul', name: `${p}BiasScale`, inputs: [offset, `${p}bias_scale`], outputs: [`${p}bias_scaled`] });
        offset = `${p}bias_scaled`;
      }
      nodes.push({ opType: adjust, name: `${p}Bias`, inputs: [rows, offset], outputs: [`${p}s`] });
      rows = `${p}s`;
    }
    const count = Math.ceil(units / GRAM_BLOCK_UNITS);
    const bounds = Array.from({ length: count + 1 }, (_, i) => Math.round((i * units) / count));
    const slices: string[] = [];
    for (let i = 0; i < count; i++) {
      if (count === 1) slices.push(rows);
      else {
        const slice = `${p}units${i}`;
        nodes.push({ opType: 'Slice', name: `${p}Slice${i}`, inputs: [rows, int64(`${p}start${i}`, [bounds[i]!]), int64(`${p}end${i}`, [bounds[i + 1]!]), int64(`${p}axis`, [1])], outputs: [slice] });
        slices.push(slice);
      }
    }
    const blocks: GramBlock[] = [];
    for (let i = 0; i < count; i++) {
      for (let j = i; j < count; j++) {
        const name = `${p}gram${i}_${j}`;
        nodes.push({ opType: 'Gemm', name: `${p}Gram${i}_${j}`, inputs: [slices[i]!, slices[j]!], outputs: [name], attributes: { transA: { type: 'int', value: 1 } } });
        blocks.push({ name, row: bounds[i]!, rows: bounds[i + 1]! - bounds[i]!, column: bounds[j]!, columns: bounds[j + 1]! - bounds[j]! });
      }
    }
    const shape = `${p}shape`;
    nodes.push({ opType: 'Shape', name: `${p}Shape`, inputs: [target.output], outputs: [shape] });
    outputs.push({ blocks, shape });
  });
  const bytes = writeOnnx({
    ...model,
    graph: {
      ...graph,
      nodes: [...graph.nodes, ...nodes],
      initializers,
      outputs: outputs.flatMap((o) => [...o.blocks.map((b) => ({ name: b.name, dtype: 'float64' as const, shape: null })), { name: o.shape, dtype: 'int64' as const, shape: null }]),
    },
  });
  return { bytes, outputs };
}

function checkTarget(target: CaptureTarget, values: ReadonlySet<string>, names: Set<string>, operation: string): void {
  const invalid = (what: string): InvalidArgumentError => new InvalidArgumentError({ operation, argument: 'targets', what: `layer ${JSON.stringify(target.name)}: ${what}`, ...netsScope });
  if (names.has(target.name)) throw invalid('named twice');
  names.add(target.name);
  if (!values.has(target.output)) throw new MissingTensorError({ operation, tensor: target.output, reason: `the output of layer ${JSON.stringify(target.name)} is no value of the graph` });
  if (target.bias !== null && !values.has(target.bias)) throw new MissingTensorError({ operation, tensor: target.bias, reason: `the bias of layer ${JSON.stringify(target.name)} is no value of the graph` });
  if (!Number.isSafeInteger(target.units) || target.units < 1) throw invalid(`units must be a positive integer, got ${target.units}`);
  if (!Number.isSafeInteger(target.channelAxis)) throw invalid(`channelAxis must be an integer, got ${target.channelAxis}`);
  if (!Number.isFinite(target.biasScale)) throw invalid(`biasScale must be finite, got ${target.biasScale}`);
}
