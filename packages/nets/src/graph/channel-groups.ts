import type { OnnxModel, OnnxNode } from '@descramble/io';
import { InvalidArgumentError, netsScope } from '../errors.js';
import { type GraphIndex, indexGraph, intAttribute, integerValues, intsAttribute, nodeLabel } from './graph-index.js';
import { type GraphLayer, graphLayers } from './graph-layers.js';

/** Why a group of channels cannot be permuted: the node where propagation stopped and what to do. */
export interface GroupBlock {
  readonly node: string;
  readonly opType: string;
  /** One sentence naming the node, the problem and what to do. */
  readonly reason: string;
}

/**
 * One axis of a constant that a group moves: along `axis`, the group's channel j occupies
 * positions `[offset + j * block, offset + (j + 1) * block)`. `node`/`input` say which use of
 * the constant this is (the same initializer may be used by several nodes).
 */
export interface GroupMember {
  /** Initializer name (or Constant node output), after resolving Identity nodes. */
  readonly initializer: string;
  readonly axis: number;
  readonly offset: number;
  readonly block: number;
  /** Index of the node that reads the constant, in `model.graph.nodes`. */
  readonly nodeIndex: number;
  /** Its name. */
  readonly node: string;
  /** Which of its inputs. */
  readonly input: number;
  /** What the constant is to that node. */
  readonly role: 'weight' | 'bias' | 'parameter';
}

/** A layer's output units (`out`) or a slice of its input channels (`in`) that a group covers, positions as in {@link GroupMember}. */
export interface GroupLayerSide {
  readonly layer: string;
  readonly side: 'out' | 'in';
  /** Position of the group's first channel along the layer's input channel axis (0 for `out`). */
  readonly offset: number;
  /** Positions per channel along that axis (a Flatten makes blocks; 1 otherwise). */
  readonly block: number;
}

/** Channel axes that must be permuted together for the network's function to stay the same. */
export interface ChannelGroup {
  readonly id: number;
  /** Number of channels. */
  readonly size: number;
  readonly permutable: boolean;
  /** Why not, when not permutable. */
  readonly blockedBy: GroupBlock | null;
  /** Every constant axis the group moves: weights, biases, normalisation parameters. */
  readonly members: readonly GroupMember[];
  /** The layer outputs and inputs it covers. */
  readonly layers: readonly GroupLayerSide[];
}

/** The linear layers of a graph and the channel groups between them. */
export interface ChannelGroupAnalysis {
  readonly layers: readonly GraphLayer[];
  readonly groups: readonly ChannelGroup[];
}

/** Where a space of channels sits in a value: along `axis`, channel j at `[offset + j * block, offset + (j + 1) * block)`. */
interface Placement {
  readonly space: number;
  readonly axis: number;
  readonly offset: number;
  readonly block: number;
}

const ELEMENTWISE: ReadonlySet<string> = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'Tanh', 'Erf', 'Gelu', 'Softplus', 'Softsign', 'Elu', 'Selu', 'Celu', 'HardSigmoid',
  'HardSwish', 'Mish', 'ThresholdedRelu', 'Identity', 'Dropout', 'Cast', 'Sqrt', 'Reciprocal', 'Neg', 'Abs', 'Exp', 'Log', 'Sin',
  'Cos', 'Floor', 'Ceil', 'Round', 'Sign', 'Clip', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where',
]);
const REDUCTIONS: ReadonlySet<string> = new Set([
  'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare',
]);
const SPATIAL_POOLS: ReadonlySet<string> = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const RESHAPES: ReadonlySet<string> = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);
/** Ops whose output does not depend on the order of channels at all. */
const ORDER_FREE: ReadonlySet<string> = new Set(['Shape', 'Size']);

/**
 * The channel groups of a graph: which channel axes must be permuted together so the network
 * computes the same function. Every linear layer's output units start a group; the group is
 * followed forward through the graph (elementwise ops with broadcasting, normalisations,
 * pooling, transposes, reshapes and concatenations, using `shapes` for the axis bookkeeping)
 * and every linear layer that reads it joins on its input side. A group that reaches a graph
 * output, meets a value it cannot be aligned with, or passes through an op whose result would
 * change under a permutation (attention's MatMul of two activations, a Softmax or Gather over
 * the channels, a Reshape that splits channels into heads, an unknown op) is kept but marked
 * not permutable, with the reason; nothing else in the graph is affected.
 *
 * `shapes` holds the concrete shape of every value (`valueShapes(runtime, model, feeds)` on a
 * batch of 2 samples).
 */
export function channelGroups(model: OnnxModel, shapes: ReadonlyMap<string, readonly number[]>): ChannelGroupAnalysis {
  return new GroupInference(model, shapes).run();
}

class GroupInference {
  private readonly index: GraphIndex;
  private readonly layers: GraphLayer[];
  private readonly parent: number[] = [];
  private readonly sizes: number[] = [];
  private readonly blocks: (GroupBlock | null)[] = [];
  private readonly placements = new Map<string, Placement[]>();
  private readonly members: (GroupMember & { space: number })[] = [];
  private readonly sides: (GroupLayerSide & { space: number })[] = [];

  constructor(
    private readonly model: OnnxModel,
    private readonly shapes: ReadonlyMap<string, readonly number[]>,
  ) {
    this.index = indexGraph(model);
    this.layers = graphLayers(model);
  }

  run(): ChannelGroupAnalysis {
    const byNode = new Map<number, GraphLayer>();
    const layerQueue = [...this.layers];
    this.model.graph.nodes.forEach((node, nodeIndex) => {
      const next = layerQueue[0];
      if (next !== undefined && next.node === node.name && next.opType === node.opType && this.index.constant(node.inputs[1] ?? '')?.source === next.weight) {
        byNode.set(nodeIndex, next);
        layerQueue.shift();
      }
    });
    this.model.graph.nodes.forEach((node, nodeIndex) => {
      const layer = byNode.get(nodeIndex);
      if (layer !== undefined) this.linear(node, nodeIndex, layer);
      else this.propagate(node, nodeIndex);
    });
    for (const output of this.model.graph.outputs) {
      for (const placement of this.placements.get(output.name) ?? []) {
        this.block(placement.space, {
          node: output.name,
          opType: 'graph output',
          reason: `these channels reach the graph output ${JSON.stringify(output.name)} in order, so they are the network's answer and must keep it; descramble the layers before it.`,
        });
      }
    }
    return { layers: this.layers, groups: this.collect() };
  }

  // ---- union-find over channel spaces ----

  private newSpace(size: number): number {
    this.parent.push(this.parent.length);
    this.sizes.push(size);
    this.blocks.push(null);
    return this.parent.length - 1;
  }

  private find(space: number): number {
    while (this.parent[space] !== space) {
      this.parent[space] = this.parent[this.parent[space]!]!;
      space = this.parent[space]!;
    }
    return space;
  }

  private union(a: number, b: number, node: OnnxNode, nodeIndex: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    this.blocks[root] ??= this.blocks[child]!;
    if (this.sizes[root] !== this.sizes[child]) {
      this.block(root, this.refusal(node, nodeIndex, `joins channel groups of ${this.sizes[root]} and ${this.sizes[child]} channels, which cannot be permuted as one`));
    }
  }

  private block(space: number, reason: GroupBlock): void {
    const root = this.find(space);
    this.blocks[root] ??= reason;
  }

  private refusal(node: OnnxNode, nodeIndex: number, problem: string): GroupBlock {
    const label = nodeLabel(node, nodeIndex);
    return { node: label, opType: node.opType, reason: `node ${JSON.stringify(label)} (${node.opType}) ${problem}; leave these channels in place, or rewrite the graph so the op acts on each channel separately.` };
  }

  private blockAll(placements: readonly Placement[], node: OnnxNode, nodeIndex: number, problem: string): void {
    const reason = this.refusal(node, nodeIndex, problem);
    for (const placement of placements) this.block(placement.space, reason);
  }

  // ---- helpers ----

  private shape(name: string): readonly number[] | null {
    return this.shapes.get(name) ?? this.index.constant(name)?.tensor.shape ?? null;
  }

  private of(name: string | undefined): Placement[] {
    return name === undefined || name === '' ? [] : (this.placements.get(name) ?? []);
  }

  private set(name: string | undefined, placements: readonly Placement[]): void {
    if (name === undefined || name === '' || placements.length === 0) return;
    this.placements.set(name, [...(this.placements.get(name) ?? []), ...placements]);
  }

  private member(space: number, initializer: string, axis: number, offset: number, block: number, node: OnnxNode, nodeIndex: number, input: number, role: GroupMember['role']): void {
    this.members.push({ space, initializer, axis, offset, block, nodeIndex, node: nodeLabel(node, nodeIndex), input, role });
  }

  private constantIntegers(name: string | undefined): number[] | null {
    if (name === undefined || name === '') return null;
    const constant = this.index.constant(name);
    return constant === null ? null : integerValues(constant.tensor);
  }

  private axesOf(node: OnnxNode, rank: number): number[] | null {
    // axes moved from an attribute to an input in opset 13 (ReduceSum, Squeeze) or 18 (other reductions)
    const raw = intsAttribute(node, 'axes') ?? this.constantIntegers(node.inputs[1]);
    return raw === null ? null : raw.map((axis) => (axis < 0 ? axis + rank : axis));
  }

  // ---- linear layers ----

  private linear(node: OnnxNode, nodeIndex: number, layer: GraphLayer): void {
    const input = node.inputs[0]!;
    const inputShape = this.shape(input);
    const outputShape = this.shape(layer.output);
    const inputAxis = layer.opType === 'MatMul' ? (inputShape?.length ?? 2) - 1 : 1;
    const weightInAxis = layer.opType === 'Conv' ? 1 : layer.opType === 'ConvTranspose' ? 0 : layer.opType === 'MatMul' ? 0 : intAttribute(node, 'transB', 0) !== 0 ? 1 : 0;
    const weightOutAxis = layer.opType === 'Conv' ? 0 : layer.opType === 'ConvTranspose' ? 1 : weightInAxis === 0 ? 1 : 0;
    const passed: Placement[] = [];
    for (const placement of this.of(input)) {
      if (placement.axis === inputAxis) {
        if (layer.convolutionGroups !== 1) {
          this.blockAll([placement], node, nodeIndex, `is a grouped convolution (group = ${layer.convolutionGroups}), whose channels are tied to their group`);
          continue;
        }
        this.sides.push({ space: placement.space, layer: layer.name, side: 'in', offset: placement.offset, block: placement.block });
        this.member(placement.space, layer.weight, weightInAxis, placement.offset, placement.block, node, nodeIndex, 1, 'weight');
      } else if (layer.opType === 'MatMul' || layer.opType === 'Gemm') {
        passed.push(placement);
      } else {
        this.blockAll([placement], node, nodeIndex, 'mixes along a spatial axis that holds the channels');
      }
    }
    const space = this.newSpace(layer.units);
    const outputAxis = layer.opType === 'MatMul' ? (outputShape?.length ?? inputShape?.length ?? 2) - 1 : 1;
    this.sides.push({ space, layer: layer.name, side: 'out', offset: 0, block: 1 });
    this.member(space, layer.weight, weightOutAxis, 0, 1, node, nodeIndex, 1, 'weight');
    const biasName = layer.opType === 'MatMul' ? undefined : node.inputs[2];
    if (biasName !== undefined && biasName !== '') {
      const bias = this.index.constant(biasName);
      const biasShape = bias?.tensor.shape ?? this.shape(biasName);
      const units = biasShape?.[biasShape.length - 1] ?? 1;
      if (bias === null) {
        if (units !== 1) this.block(space, this.refusal(node, nodeIndex, 'adds a computed value as its bias, which would not be permuted with the units'));
      } else if (units !== 1 && biasShape !== null) {
        // Gemm's C broadcasts against [N, units]; a Conv's B is [units]
        const axis = layer.opType === 'Gemm' ? biasShape.length - 1 : 0;
        if (layer.opType === 'Gemm' && biasShape.length === 2 && biasShape[0] !== 1) this.block(space, this.refusal(node, nodeIndex, 'has a bias that varies over samples'));
        this.member(space, bias.source, axis, 0, 1, node, nodeIndex, 2, 'bias');
      }
    }
    this.set(layer.output, [{ space, axis: outputAxis, offset: 0, block: 1 }, ...passed]);
  }

  // ---- every other op ----

  private propagate(node: OnnxNode, nodeIndex: number): void {
    const inputs = node.inputs.map((name) => this.of(name));
    const carried = inputs.flat();
    const op = node.opType;
    if (op === 'MatMul' || op === 'Gemm' || op === 'Conv' || op === 'ConvTranspose') {
      if (carried.length > 0) this.blockAll(carried, node, nodeIndex, 'multiplies two computed values (as attention does), so a permutation of one is not undone by any weight');
      return;
    }
    if (carried.length === 0 || ORDER_FREE.has(op)) return;
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      this.blockAll(carried, node, nodeIndex, `is in the custom domain ${JSON.stringify(node.domain)}, whose effect on channels is unknown`);
      return;
    }
    if (ELEMENTWISE.has(op)) this.elementwise(node, nodeIndex);
    else if (op === 'BatchNormalization' || op === 'InstanceNormalization') this.perChannelNorm(node, nodeIndex, op === 'BatchNormalization' ? [1, 2, 3, 4] : [1, 2]);
    else if (op === 'LayerNormalization') this.layerNorm(node, nodeIndex);
    else if (SPATIAL_POOLS.has(op)) this.spatial(node, nodeIndex, inputs[0]!);
    else if (op === 'Pad') this.pad(node, nodeIndex, inputs[0]!);
    else if (op === 'Transpose') this.transpose(node, inputs[0]!);
    else if (RESHAPES.has(op)) this.reshape(node, nodeIndex, inputs[0]!);
    else if (op === 'Concat') this.concat(node, nodeIndex);
    else if (op === 'Split') this.split(node, nodeIndex, inputs[0]!);
    else if (op === 'Slice') this.slice(node, nodeIndex, inputs[0]!);
    else if (op === 'Gather') this.gather(node, nodeIndex, inputs);
    else if (REDUCTIONS.has(op) || op === 'ArgMax' || op === 'ArgMin') this.reduce(node, nodeIndex, inputs[0]!);
    else if (op === 'Softmax' || op === 'LogSoftmax' || op === 'Hardmax') this.softmax(node, nodeIndex, inputs[0]!);
    else if (op === 'Expand') this.expand(node, inputs[0]!);
    else this.blockAll(carried, node, nodeIndex, 'is an op whose effect on channel order is not known here');
  }

  /**
   * Elementwise with numpy broadcasting: operands carrying groups on the same output axis tie
   * them; a constant that varies along that axis is a per-channel parameter and moves with the
   * group; a computed value that varies along it but carries no group blocks the group.
   */
  private elementwise(node: OnnxNode, nodeIndex: number): void {
    const outputShape = this.shape(node.outputs[0]!);
    const rank = outputShape?.length ?? Math.max(0, ...node.inputs.map((name) => this.shape(name)?.length ?? 0));
    const operands = node.inputs.map((name, slot) => {
      const shape = name === '' ? [] : (this.shape(name) ?? []);
      const shift = rank - shape.length;
      return { name, slot, shape, shift, placements: this.of(name).map((p) => ({ ...p, axis: p.axis + shift })) };
    });
    const result = this.alignOperands(node, nodeIndex, operands, null);
    for (const output of node.outputs) this.set(output, result);
  }

  /** Ties operands' placements axis by axis (`skipAxis` is free: a Concat's axis); returns the result's placements. */
  private alignOperands(
    node: OnnxNode,
    nodeIndex: number,
    operands: readonly { name: string; slot: number; shape: readonly number[]; shift: number; placements: Placement[] }[],
    skipAxis: number | null,
  ): Placement[] {
    const axes = new Set(operands.flatMap((operand) => operand.placements.map((p) => p.axis)));
    const result: Placement[] = [];
    for (const axis of axes) {
      if (axis === skipAxis) continue;
      const layouts = operands.map((operand) => operand.placements.filter((p) => p.axis === axis).sort((x, y) => x.offset - y.offset));
      const reference = layouts.find((layout) => layout.length > 0)!;
      result.push(...reference);
      const key = (layout: readonly Placement[]) => layout.map((p) => `${p.offset}:${p.block}:${this.sizes[this.find(p.space)]}`).join(',');
      const referenceKey = key(reference);
      operands.forEach((operand, k) => {
        const layout = layouts[k]!;
        if (layout.length > 0) {
          if (key(layout) !== referenceKey) {
            this.blockAll([...reference, ...layout], node, nodeIndex, `combines values whose channels are laid out differently along axis ${axis}`);
            return;
          }
          layout.forEach((p, j) => {
            this.union(reference[j]!.space, p.space, node, nodeIndex);
          });
          return;
        }
        const own = axis - operand.shift;
        if (operand.name === '' || own < 0 || (operand.shape[own] ?? 1) === 1) return; // broadcast along the channels: invariant
        const constant = this.index.constant(operand.name);
        if (constant === null) {
          this.blockAll(reference, node, nodeIndex, `combines these channels with ${JSON.stringify(operand.name)}, a computed value that varies along them but is not permuted with them`);
          return;
        }
        for (const p of reference) this.member(p.space, constant.source, own, p.offset, p.block, node, nodeIndex, operand.slot, 'parameter');
      });
    }
    return result;
  }

  /** BatchNormalization and InstanceNormalization normalise each channel of axis 1 with its own parameters. */
  private perChannelNorm(node: OnnxNode, nodeIndex: number, parameterSlots: readonly number[]): void {
    const passed: Placement[] = [];
    for (const placement of this.of(node.inputs[0])) {
      passed.push(placement);
      if (placement.axis !== 1) continue;
      for (const slot of parameterSlots) {
        const name = node.inputs[slot];
        if (name === undefined || name === '') continue;
        const constant = this.index.constant(name);
        if (constant === null) this.blockAll([placement], node, nodeIndex, `reads computed parameter ${JSON.stringify(name)}`);
        else this.member(placement.space, constant.source, 0, placement.offset, placement.block, node, nodeIndex, slot, 'parameter');
      }
    }
    this.set(node.outputs[0], passed);
  }

  /**
   * LayerNormalization over axes `[axis, rank)`: the mean and variance are symmetric in the
   * channels they cover, so a permutation commutes with them; the scale and shift (shaped like
   * those axes) move with the group.
   */
  private layerNorm(node: OnnxNode, nodeIndex: number): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    let first = intAttribute(node, 'axis', -1);
    if (first < 0) first += rank;
    const passed: Placement[] = [];
    for (const placement of this.of(node.inputs[0])) {
      passed.push(placement);
      if (placement.axis < first) continue;
      for (const slot of [1, 2]) {
        const name = node.inputs[slot];
        if (name === undefined || name === '') continue;
        const shape = this.shape(name) ?? [];
        const own = placement.axis - (rank - shape.length);
        if (own < 0 || (shape[own] ?? 1) === 1) continue;
        const constant = this.index.constant(name);
        if (constant === null) this.blockAll([placement], node, nodeIndex, `reads computed parameter ${JSON.stringify(name)}`);
        else this.member(placement.space, constant.source, own, placement.offset, placement.block, node, nodeIndex, slot, 'parameter');
      }
    }
    this.set(node.outputs[0], passed);
  }

  /** Pools act on axes 2 and beyond, each channel alone. */
  private spatial(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const spatial = placements.filter((p) => p.axis >= 2);
    if (spatial.length > 0) this.blockAll(spatial, node, nodeIndex, 'pools along an axis that holds the channels');
    if (node.outputs.length > 1 && node.outputs[1] !== '') this.blockAll(placements, node, nodeIndex, 'returns pooling indices, which count channels in order');
    this.set(node.outputs[0], placements.filter((p) => p.axis < 2));
  }

  private pad(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    const pads = intsAttribute(node, 'pads') ?? this.constantIntegers(node.inputs[1]);
    const axes = node.inputs[3] !== undefined && node.inputs[3] !== '' ? this.constantIntegers(node.inputs[3]) : Array.from({ length: rank }, (_, i) => i);
    const passed: Placement[] = [];
    for (const placement of placements) {
      if (pads === null || axes === null) {
        this.blockAll([placement], node, nodeIndex, 'pads by amounts that are not constants');
        continue;
      }
      const k = axes.map((axis) => (axis < 0 ? axis + rank : axis)).indexOf(placement.axis);
      if (k >= 0 && (pads[k] !== 0 || pads[k + axes.length] !== 0)) this.blockAll([placement], node, nodeIndex, 'pads the channel axis');
      else passed.push(placement);
    }
    this.set(node.outputs[0], passed);
  }

  private transpose(node: OnnxNode, placements: readonly Placement[]): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    const perm = intsAttribute(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    this.set(node.outputs[0], placements.map((p) => ({ ...p, axis: perm.indexOf(p.axis) })));
  }

  /**
   * A reshape keeps the row-major order of elements. Channel j of a placement covers, within
   * each index of the axes before it, the contiguous run `[(offset + j block) s, (offset + (j + 1) block) s)`
   * where `s` is the product of the later dims. It survives when some output axis starts at
   * the same outer index and its own stride divides those run bounds: the channels become
   * blocks along that axis (a Flatten); otherwise the reshape splits them (heads) and blocks the group.
   */
  private reshape(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const input = this.shape(node.inputs[0]!);
    const output = this.shape(node.outputs[0]!);
    const passed: Placement[] = [];
    for (const placement of placements) {
      const moved = input === null || output === null ? null : reshapePlacement(placement, input, output);
      if (moved === null) this.blockAll([placement], node, nodeIndex, 'reshapes the channel axis into several axes (as a split into attention heads does)');
      else passed.push(moved);
    }
    this.set(node.outputs[0], passed);
  }

  /** Concat along the channel axis stacks slices; along another axis it ties the operands like an elementwise op. */
  private concat(node: OnnxNode, nodeIndex: number): void {
    const rank = this.shape(node.outputs[0]!)?.length ?? 0;
    let axis = intAttribute(node, 'axis', 0);
    if (axis < 0) axis += rank;
    let start = 0;
    const stacked: Placement[] = [];
    const operands = node.inputs.map((name, slot) => {
      const shape = this.shape(name) ?? [];
      const placements = this.of(name);
      for (const p of placements) if (p.axis === axis) stacked.push({ ...p, offset: p.offset + start });
      start += shape[axis] ?? 0;
      return { name, slot, shape, shift: 0, placements };
    });
    const others = this.alignOperands(node, nodeIndex, operands, axis);
    this.set(node.outputs[0], [...stacked, ...others]);
  }

  private split(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    let axis = intAttribute(node, 'axis', 0);
    if (axis < 0) axis += rank;
    const cut = placements.filter((p) => p.axis === axis);
    if (cut.length > 0) this.blockAll(cut, node, nodeIndex, 'splits the channel axis into parts that go separate ways');
    for (const output of node.outputs) this.set(output, placements.filter((p) => p.axis !== axis));
  }

  private slice(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const inputShape = this.shape(node.inputs[0]!) ?? [];
    const rank = inputShape.length;
    const starts = intsAttribute(node, 'starts') ?? this.constantIntegers(node.inputs[1]);
    const rawAxes = intsAttribute(node, 'axes') ?? (node.inputs[3] !== undefined && node.inputs[3] !== '' ? this.constantIntegers(node.inputs[3]) : starts === null ? null : starts.map((_, i) => i));
    const steps = node.inputs[4] !== undefined && node.inputs[4] !== '' ? this.constantIntegers(node.inputs[4]) : null;
    const outputShape = this.shape(node.outputs[0]!) ?? [];
    const passed: Placement[] = [];
    for (const placement of placements) {
      const axes = rawAxes?.map((axis) => (axis < 0 ? axis + rank : axis)) ?? null;
      const k = axes?.indexOf(placement.axis) ?? -2;
      // a slice that keeps the whole channel axis in order (start 0, step 1) is harmless
      const whole = k >= 0 && starts?.[k] === 0 && (steps?.[k] ?? 1) === 1 && outputShape[placement.axis] === inputShape[placement.axis];
      if (k === -1 || whole) passed.push(placement);
      else this.blockAll([placement], node, nodeIndex, k === -2 ? 'slices along axes that are not constants' : 'slices the channel axis');
    }
    this.set(node.outputs[0], passed);
  }

  private gather(node: OnnxNode, nodeIndex: number, inputs: readonly Placement[][]): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    let axis = intAttribute(node, 'axis', 0);
    if (axis < 0) axis += rank;
    const indexRank = this.shape(node.inputs[1]!)?.length ?? 0;
    if ((inputs[1] ?? []).length > 0) this.blockAll(inputs[1]!, node, nodeIndex, 'uses these channels as indices');
    const passed: Placement[] = [];
    for (const p of inputs[0] ?? []) {
      if (p.axis === axis) this.blockAll([p], node, nodeIndex, 'gathers along the channel axis, picking channels by position');
      else passed.push({ ...p, axis: p.axis < axis ? p.axis : p.axis - 1 + indexRank });
    }
    this.set(node.outputs[0], passed);
  }

  /** A symmetric reduction over the channels is invariant under their permutation; over other axes it only moves the axis. */
  private reduce(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    const keep = intAttribute(node, 'keepdims', 1) !== 0;
    const isArg = node.opType === 'ArgMax' || node.opType === 'ArgMin';
    let axes: number[] | null;
    if (isArg) {
      const axis = intAttribute(node, 'axis', 0);
      axes = [axis < 0 ? axis + rank : axis];
    } else {
      axes = this.axesOf(node, rank);
      if (axes === null && node.inputs[1] !== undefined && node.inputs[1] !== '') {
        this.blockAll(placements, node, nodeIndex, 'reduces over axes that are not constants');
        return;
      }
      if (axes === null || axes.length === 0) {
        if (intAttribute(node, 'noop_with_empty_axes', 0) !== 0) {
          this.set(node.outputs[0], placements);
          return;
        }
        axes = Array.from({ length: rank }, (_, i) => i);
      }
    }
    const passed: Placement[] = [];
    for (const p of placements) {
      if (axes.includes(p.axis)) {
        if (isArg) this.blockAll([p], node, nodeIndex, 'returns positions along the channel axis, which depend on the channel order');
        continue;
      }
      passed.push({ ...p, axis: keep ? p.axis : p.axis - axes.filter((axis) => axis < p.axis).length });
    }
    this.set(node.outputs[0], passed);
  }

  private softmax(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const rank = this.shape(node.inputs[0]!)?.length ?? 0;
    // before opset 13 the op flattened every axis from `axis` on (default 1); since, it acts on one axis (default -1)
    const legacy = this.index.opset < 13;
    let axis = intAttribute(node, 'axis', legacy ? 1 : -1);
    if (axis < 0) axis += rank;
    const passed: Placement[] = [];
    for (const p of placements) {
      if (p.axis === axis || (legacy && p.axis > axis)) this.blockAll([p], node, nodeIndex, 'normalises across the channels, coupling them all');
      else passed.push(p);
    }
    this.set(node.outputs[0], passed);
  }

  private expand(node: OnnxNode, placements: readonly Placement[]): void {
    const shift = (this.shape(node.outputs[0]!)?.length ?? 0) - (this.shape(node.inputs[0]!)?.length ?? 0);
    this.set(node.outputs[0], placements.map((p) => ({ ...p, axis: p.axis + shift })));
  }

  // ---- result ----

  private collect(): ChannelGroup[] {
    const ids = new Map<number, number>();
    const groups: { id: number; size: number; root: number; members: GroupMember[]; layers: GroupLayerSide[] }[] = [];
    const groupOf = (space: number) => {
      const root = this.find(space);
      let id = ids.get(root);
      if (id === undefined) {
        id = groups.length;
        ids.set(root, id);
        groups.push({ id, size: this.sizes[root]!, root, members: [], layers: [] });
      }
      return groups[id]!;
    };
    for (const { space, ...side } of this.sides) {
      const group = groupOf(space);
      if (!group.layers.some((s) => s.layer === side.layer && s.side === side.side && s.offset === side.offset)) group.layers.push(side);
    }
    for (const { space, ...member } of this.members) groupOf(space).members.push(member);
    return groups.map(({ id, size, root, members, layers }) => {
      const blockedBy = this.blocks[root] ?? null;
      return { id, size, permutable: blockedBy === null, blockedBy, members, layers };
    });
  }
}

/** Where a placement lands after a row-major reshape from `input` to `output`, or `null` when its channels are split. */
function reshapePlacement(placement: Placement, input: readonly number[], output: readonly number[]): Placement | null {
  const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  const outer = product(input.slice(0, placement.axis));
  const inner = product(input.slice(placement.axis + 1));
  const start = placement.offset * inner;
  const run = placement.block * inner;
  let best: Placement | null = null;
  for (let t = 0; t < output.length; t++) {
    if (product(output.slice(0, t)) !== outer) continue;
    const stride = product(output.slice(t + 1));
    if (start % stride !== 0 || run % stride !== 0) continue;
    const candidate = { ...placement, axis: t, offset: start / stride, block: run / stride };
    // axes of size 1 around the target share its outer index: take the one that holds the channels
    if (best === null || output[t]! > 1) best = candidate;
    if (output[t]! > 1) break;
  }
  return best;
}

/** The group with the given id, or an `InvalidArgumentError` naming the ids there are. */
export function groupById(analysis: ChannelGroupAnalysis, id: number, operation: string): ChannelGroup {
  const group = analysis.groups[id];
  if (group === undefined || group.id !== id) {
    throw new InvalidArgumentError({ operation, argument: 'group', what: `no channel group ${id}; the analysis has groups 0..${analysis.groups.length - 1}`, ...netsScope });
  }
  return group;
}
