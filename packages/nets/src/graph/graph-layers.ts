import type { Float64Tensor } from '@descramble/core';
import type { OnnxModel, OnnxNode } from '@descramble/io';
import { MissingTensorError, UnsupportedOperatorError } from '../errors.js';
import { floatAttribute, type GraphIndex, indexGraph, intAttribute } from './graph-index.js';

/** The operators whose weight initializer makes them a linear layer of a graph. */
export type GraphLayerOp = 'Gemm' | 'MatMul' | 'Conv' | 'ConvTranspose';

/** A linear layer of an ONNX graph: a node with a weight initializer. */
export interface GraphLayer {
  /** PyTorch module path: the weight's name minus `.weight`, else the node's scope; unique (`#2` on clashes). */
  readonly name: string;
  /** ONNX node name. */
  readonly node: string;
  readonly opType: GraphLayerOp;
  /** Initializer (or Constant output) holding the weight, after resolving Identity nodes. */
  readonly weight: string;
  /** Initializer of the bias: Gemm C, Conv/ConvTranspose B, or the constant added right after a MatMul. */
  readonly bias: string | null;
  /** Gemm `beta` (else 1): the bias enters as `biasScale * bias`. */
  readonly biasScale: number;
  /** The value to tap: the node's output (for MatMul its own output, before the bias Add). */
  readonly output: string;
  /** Whether `output` already contains the bias. */
  readonly biasIncluded: boolean;
  /** Axis of `output` holding the units: 1 for Gemm/Conv/ConvTranspose, the last axis for MatMul (-1 when its rank is unknown). */
  readonly channelAxis: number;
  /** Output units. */
  readonly units: number;
  /** Inputs per unit (Cin / groups * kernel size for a convolution). */
  readonly fanIn: number;
  /** Input channels (Conv: weight dim 1 * groups; ConvTranspose: weight dim 0; dense: the fan-in). */
  readonly inChannels: number;
  /** The units reach a graph output without mixing: their order is meaningful, do not descramble them. */
  readonly isOutput: boolean;
  /** Convolution `group` attribute (1 for dense layers); a grouped or depthwise convolution is discovered but cannot be permuted. */
  readonly convolutionGroups: number;
}

const LINEAR_OPS: ReadonlySet<string> = new Set(['Gemm', 'MatMul', 'Conv', 'ConvTranspose']);

/** Ops that keep units apart (elementwise with constants, reshapes): a layer's units stay ordered through them. */
const UNIT_PRESERVING: ReadonlySet<string> = new Set([
  'Identity', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Erf', 'Gelu', 'Softplus', 'Softsign', 'Elu', 'Selu', 'Celu', 'HardSigmoid',
  'HardSwish', 'Mish', 'Dropout', 'Cast', 'Sqrt', 'Neg', 'Abs', 'Exp', 'Log', 'Clip', 'Add', 'Sub', 'Mul', 'Div', 'Pow',
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Softmax', 'LogSoftmax',
]);

/**
 * The linear layers of any ONNX graph, in node order: every Gemm, every MatMul whose second
 * input is a constant matrix (possibly behind Identity nodes or a Constant node), every Conv
 * and ConvTranspose with a constant weight. A MatMul of two activations (attention) is not a
 * layer.
 */
export function graphLayers(model: OnnxModel): GraphLayer[] {
  const index = indexGraph(model);
  const layers: GraphLayer[] = [];
  const taken = new Map<string, number>();
  model.graph.nodes.forEach((node) => {
    const layer = describeLayer(index, node);
    if (layer === null) return;
    const count = (taken.get(layer.name) ?? 0) + 1;
    taken.set(layer.name, count);
    layers.push(count === 1 ? layer : { ...layer, name: `${layer.name}#${count}` });
  });
  return layers;
}

function describeLayer(index: GraphIndex, node: OnnxNode): GraphLayer | null {
  if (!LINEAR_OPS.has(node.opType) || node.inputs[1] === undefined) return null;
  const weight = index.constant(node.inputs[1]);
  if (weight === null || weight.tensor.dtype === 'int64' || weight.tensor.dtype === 'uint64') return null;
  const shape = weight.tensor.shape;
  const opType = node.opType as GraphLayerOp;
  const output = node.outputs[0]!;
  const constantInput = (slot: number): string | null => {
    const name = node.inputs[slot];
    return name === undefined || name === '' ? null : (index.constant(name)?.source ?? null);
  };
  const base = { name: moduleName(weight.source, node.name), node: node.name, opType, weight: weight.source, output, convolutionGroups: 1 };
  if (opType === 'Gemm' || opType === 'MatMul') {
    if (shape.length !== 2) return null;
    if (opType === 'Gemm' && intAttribute(node, 'transA', 0) !== 0) return null;
    const transposed = opType === 'Gemm' && intAttribute(node, 'transB', 0) !== 0;
    const units = transposed ? shape[0]! : shape[1]!;
    const fanIn = transposed ? shape[1]! : shape[0]!;
    if (opType === 'Gemm') {
      const bias = constantInput(2);
      return {
        ...base, bias, biasScale: floatAttribute(node, 'beta', 1), biasIncluded: node.inputs[2] !== undefined && node.inputs[2] !== '',
        channelAxis: 1, units, fanIn, inChannels: fanIn, isOutput: reachesOutput(index, output),
      };
    }
    const biasAdd = matMulBiasAdd(index, output);
    const rank = valueRank(index, output) ?? valueRank(index, node.inputs[0]!);
    return {
      ...base, bias: biasAdd?.bias ?? null, biasScale: 1, biasIncluded: false, channelAxis: rank === null ? -1 : rank - 1,
      units, fanIn, inChannels: fanIn, isOutput: reachesOutput(index, output) || (biasAdd !== null && reachesOutput(index, biasAdd.output)),
    };
  }
  if (shape.length < 3) return null;
  const groups = intAttribute(node, 'group', 1);
  const kernel = shape.slice(2).reduce((a, b) => a * b, 1);
  const common = { ...base, bias: constantInput(2), biasScale: 1, biasIncluded: node.inputs[2] !== undefined && node.inputs[2] !== '', channelAxis: 1, convolutionGroups: groups, isOutput: reachesOutput(index, output) };
  if (opType === 'Conv') return { ...common, units: shape[0]!, fanIn: shape[1]! * kernel, inChannels: shape[1]! * groups };
  return { ...common, units: shape[1]! * groups, fanIn: (shape[0]! / groups) * kernel, inChannels: shape[0]! };
}

/** `blocks.0.fc1.weight` -> `blocks.0.fc1`; a renamed weight (`onnx::Conv_62`) falls back to the node's scope. */
function moduleName(weight: string, node: string): string {
  if (weight.endsWith('.weight')) return weight.slice(0, -'.weight'.length);
  const parts: string[] = [];
  // "/layer2/shortcut/shortcut.0/Conv": a container's child repeats its parent's name plus ".0"
  for (const part of node.replace(/^\/+|\/+$/g, '').split('/').slice(0, -1)) {
    const last = parts[parts.length - 1];
    if (last !== undefined && part.startsWith(`${last}.`)) parts[parts.length - 1] = part;
    else parts.push(part);
  }
  return parts.length > 0 ? parts.join('.') : node;
}

function valueRank(index: GraphIndex, name: string): number | null {
  const info = [...index.model.graph.valueInfo, ...index.model.graph.inputs, ...index.model.graph.outputs].find((v) => v.name === name);
  return info?.shape?.length ?? null;
}

/** The single Add of a constant right after a MatMul (PyTorch's Linear with a transposed weight). */
function matMulBiasAdd(index: GraphIndex, output: string): { bias: string; output: string } | null {
  const readers = index.consumers.get(output) ?? [];
  if (readers.length !== 1) return null;
  const node = index.model.graph.nodes[readers[0]![0]]!;
  if (node.opType !== 'Add') return null;
  const other = node.inputs[1 - readers[0]![1]];
  const bias = other === undefined ? null : index.constant(other);
  return bias === null ? null : { bias: bias.source, output: node.outputs[0]! };
}

/** Whether a value reaches a graph output through ops that keep units apart and mix in only constants. */
function reachesOutput(index: GraphIndex, start: string): boolean {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (index.graphOutputs.has(value)) return true;
    if (seen.has(value)) continue;
    seen.add(value);
    for (const [nodeIndex] of index.consumers.get(value) ?? []) {
      const node = index.model.graph.nodes[nodeIndex]!;
      if (!UNIT_PRESERVING.has(node.opType)) continue;
      const computed = node.inputs.filter((input) => input !== '' && index.constant(input) === null);
      if (computed.length === 1) stack.push(...node.outputs.filter((output) => output !== ''));
    }
  }
  return false;
}

/**
 * A layer's weight as a `units x fanIn` matrix in out-in orientation, whatever the storage:
 * Gemm `transB` undone and `alpha` folded in, a MatMul's `[in, out]` transposed, a Conv's
 * `[out, in, k...]` flattened per unit, a ConvTranspose's `[in, out, k...]` swapped to
 * `[out, in, k...]` first. Entries are the initializer's, widened to float64.
 */
export function layerWeightMatrix(model: OnnxModel, layer: GraphLayer): Float64Tensor {
  const operation = 'layerWeightMatrix';
  const index = indexGraph(model);
  const weight = index.constant(layer.weight);
  if (weight === null) throw new MissingTensorError({ operation, tensor: layer.weight, reason: `the weight of layer ${JSON.stringify(layer.name)} is not an initializer of this model` });
  const { tensor } = weight;
  if (tensor.dtype === 'int64' || tensor.dtype === 'uint64') throw new UnsupportedOperatorError({ operation, operator: layer.opType, node: layer.node, reason: `weight ${JSON.stringify(layer.weight)} holds 64-bit integers` });
  const { units, fanIn } = layer;
  if (tensor.data.length !== units * fanIn) throw new MissingTensorError({ operation, tensor: layer.weight, reason: `holds ${tensor.data.length} entries, not units x fanIn = ${units} x ${fanIn}` });
  const source = tensor.data;
  const data = new Float64Array(units * fanIn);
  const node = model.graph.nodes.find((candidate) => candidate.name === layer.node && candidate.opType === layer.opType);
  if (layer.opType === 'Conv') {
    data.set(source);
  } else if (layer.opType === 'ConvTranspose') {
    // [in, out / g, k] -> [out, in / g, k]; only group 1 has a plain out-in matrix, so groups index blocks of both
    const groups = layer.convolutionGroups;
    const inputs = layer.inChannels;
    const outPerGroup = units / groups;
    const inPerGroup = inputs / groups;
    const kernel = fanIn / inPerGroup;
    for (let i = 0; i < inputs; i++) {
      const g = Math.floor(i / inPerGroup);
      for (let o = 0; o < outPerGroup; o++) {
        const from = (i * outPerGroup + o) * kernel;
        const to = ((g * outPerGroup + o) * inPerGroup + (i - g * inPerGroup)) * kernel;
        data.set(source.subarray(from, from + kernel), to);
      }
    }
  } else {
    const transposed = layer.opType === 'Gemm' && node !== undefined && intAttribute(node, 'transB', 0) !== 0;
    const alpha = layer.opType === 'Gemm' && node !== undefined ? floatAttribute(node, 'alpha', 1) : 1;
    for (let u = 0; u < units; u++) {
      for (let k = 0; k < fanIn; k++) data[u * fanIn + k] = alpha * (transposed ? source[u * fanIn + k]! : source[k * units + u]!);
    }
  }
  return { dtype: 'float64', shape: [units, fanIn], data };
}
