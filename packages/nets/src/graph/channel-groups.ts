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
  /**
   * Position of the group's first channel along the layer's input channel axis, or, for `out`,
   * the first unit it covers (0 unless the group is a part of the units: a slice, a head's dims).
   */
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

/**
 * A space made of part of another: child channel i is parent channel `start + h stride + i` for
 * every h below `copies` (a Slice: one copy; a split into heads: one per head, all permuted alike).
 */
interface Derivation {
  readonly parent: number;
  readonly child: number;
  readonly start: number;
  readonly stride: number;
  readonly copies: number;
  /** The node that made it, for messages. */
  readonly node: OnnxNode;
  readonly nodeIndex: number;
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
 * change under a permutation (a Softmax or Gather over the channels, an unknown op) is kept
 * but marked not permutable, with the reason; nothing else in the graph is affected.
 *
 * Attention is followed where the graph shows it: a Slice of the channel axis (constant bounds,
 * folded from shape arithmetic) makes its part a group of its own, a Reshape that splits
 * channels into heads makes a group of one head's dims shared by every head, and a MatMul of
 * two computed values ties the axes it contracts (queries with keys) and carries the other
 * operand's channels (values). A space cut into parts is no longer permutable whole; parts that
 * overlap are refused.
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
  private readonly derivations: Derivation[] = [];
  private readonly derived = new Map<string, number>();
  private readonly folded = new Map<string, number[] | null>();

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

  /**
   * The integer values of a constant or of shape arithmetic on it (Shape, Gather, Concat,
   * Unsqueeze, Add, Mul, ...), read from the concrete `shapes`; `null` when not computable.
   */
  private fold(name: string | undefined): number[] | null {
    if (name === undefined || name === '') return null;
    if (this.folded.has(name)) return this.folded.get(name)!;
    this.folded.set(name, null); // a cycle folds to nothing
    const value = this.foldOnce(name);
    this.folded.set(name, value);
    return value;
  }

  private foldOnce(name: string): number[] | null {
    const constant = this.constantIntegers(name);
    if (constant !== null) return constant;
    const producer = this.index.producer.get(name);
    const node = producer === undefined ? undefined : this.model.graph.nodes[producer];
    if (node === undefined || (node.domain !== '' && node.domain !== 'ai.onnx')) return null;
    // inputs are folded only where the op needs their values (never a Shape's data input)
    const arg = (k: number) => this.fold(node.inputs[k]);
    switch (node.opType) {
      case 'Shape': {
        const shape = this.shape(node.inputs[0]!);
        if (shape === null) return null;
        const rank = shape.length;
        const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
        return shape.slice(clamp(intAttribute(node, 'start', 0)), clamp(intAttribute(node, 'end', rank)));
      }
      case 'Gather': {
        const first = arg(0);
        const indices = arg(1);
        if (first === null || indices === null || intAttribute(node, 'axis', 0) !== 0) return null;
        const picked = indices.map((i) => first[i < 0 ? i + first.length : i]);
        return picked.every((v) => v !== undefined) ? (picked as number[]) : null;
      }
      case 'Identity':
      case 'Cast':
      case 'Squeeze':
      case 'Unsqueeze':
        return arg(0);
      case 'Concat': {
        const parts = node.inputs.map((_, k) => arg(k));
        return parts.every((part) => part !== null) ? (parts as number[][]).flat() : null;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const first = arg(0);
        const second = arg(1);
        if (first === null || second === null) return null;
        const length = Math.max(first.length, second.length);
        if ((first.length !== 1 && first.length !== length) || (second.length !== 1 && second.length !== length)) return null;
        const op = node.opType;
        const result = Array.from({ length }, (_, i) => {
          const x = first[first.length === 1 ? 0 : i]!;
          const y = second[second.length === 1 ? 0 : i]!;
          // integer Div truncates, as ONNX does for int64
          return op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : y === 0 ? Number.NaN : Math.trunc(x / y);
        });
        return result.every(Number.isFinite) ? result : null;
      }
      default:
        return null;
    }
  }

  /** The space made of part of `parent` (see {@link Derivation}); the same part asked twice is the same space. */
  private derive(parent: number, size: number, start: number, stride: number, copies: number, node: OnnxNode, nodeIndex: number): number {
    const key = `${this.find(parent)}:${size}:${start}:${stride}:${copies}`;
    const known = this.derived.get(key);
    if (known !== undefined) return known;
    const child = this.newSpace(size);
    this.derived.set(key, child);
    this.derivations.push({ parent, child, start, stride, copies, node, nodeIndex });
    return child;
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
    if (op === 'MatMul' && carried.length > 0 && node.inputs.length === 2 && node.inputs.every((name) => this.index.constant(name) === null)) {
      this.matmul(node, nodeIndex, inputs[0]!, inputs[1]!);
      return;
    }
    if (op === 'MatMul' || op === 'Gemm' || op === 'Conv' || op === 'ConvTranspose') {
      if (carried.length > 0) this.blockAll(carried, node, nodeIndex, 'multiplies values in a way not followed here (a Gemm or Conv of computed values, a MatMul by a constant that is not a layer), so a permutation is not undone by any weight');
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

  /**
   * `A B` of two computed values, `[..., m, k] x [..., k, n]`: `(A P^T)(P B) = A B`, so a group on
   * A's last axis must meet the same group on B's second-to-last (queries and keys); A's rows
   * and B's columns (values) carry over to the result. Batch axes and rank-1 operands are refused.
   */
  private matmul(node: OnnxNode, nodeIndex: number, left: readonly Placement[], right: readonly Placement[]): void {
    const leftRank = this.shape(node.inputs[0]!)?.length ?? 0;
    const rightRank = this.shape(node.inputs[1]!)?.length ?? 0;
    const outputRank = this.shape(node.outputs[0]!)?.length ?? 0;
    if (leftRank < 2 || rightRank < 2) {
      this.blockAll([...left, ...right], node, nodeIndex, 'multiplies two computed values of which one is a vector');
      return;
    }
    const passed: Placement[] = [];
    const batch: Placement[] = [];
    for (const p of left) {
      if (p.axis === leftRank - 2) passed.push({ ...p, axis: outputRank - 2 });
      else if (p.axis !== leftRank - 1) batch.push(p);
    }
    for (const p of right) {
      if (p.axis === rightRank - 1) passed.push({ ...p, axis: outputRank - 1 });
      else if (p.axis !== rightRank - 2) batch.push(p);
    }
    if (batch.length > 0) this.blockAll(batch, node, nodeIndex, 'multiplies two computed values batched along an axis that holds the channels');
    const byOffset = (x: Placement, y: Placement) => x.offset - y.offset;
    const contractedLeft = left.filter((p) => p.axis === leftRank - 1).sort(byOffset);
    const contractedRight = right.filter((p) => p.axis === rightRank - 2).sort(byOffset);
    const key = (layout: readonly Placement[]) => layout.map((p) => `${p.offset}:${p.block}:${this.sizes[this.find(p.space)]}`).join(',');
    if (key(contractedLeft) !== key(contractedRight)) {
      this.blockAll([...contractedLeft, ...contractedRight], node, nodeIndex, 'contracts an axis whose channels are not laid out alike in both operands, so a permutation of one is not undone by the other');
    } else {
      contractedLeft.forEach((p, j) => {
        this.union(p.space, contractedRight[j]!.space, node, nodeIndex);
      });
    }
    this.set(node.outputs[0], passed);
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
   * the same outer index, or at a coarser one (merging heads back: one placement per merged
   * index), and its own stride divides those run bounds: the channels become blocks along that
   * axis (a Flatten). A reshape that cuts the whole channel axis into equal runs, one per index
   * of a new outer axis (heads), makes a derived space of one run's channels shared by every
   * head; any other cut is refused.
   */
  private reshape(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const input = this.shape(node.inputs[0]!);
    const output = this.shape(node.outputs[0]!);
    const passed: Placement[] = [];
    for (const placement of placements) {
      const moved = input === null || output === null ? null : reshapePlacement(placement, input, output);
      if (moved !== null) {
        passed.push(...moved);
        continue;
      }
      const heads = input === null || output === null ? null : headSplit(placement, this.sizes[this.find(placement.space)]!, input, output);
      if (heads === null) {
        this.blockAll([placement], node, nodeIndex, 'reshapes the channel axis into several axes in a way that cuts channels apart');
        continue;
      }
      const space = this.derive(placement.space, heads.channels, 0, heads.channels, heads.copies, node, nodeIndex);
      passed.push({ space, axis: heads.axis, offset: 0, block: heads.block });
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

  /**
   * A Slice with step 1 and bounds that fold to constants keeps, of each group on the cut axis,
   * the channels inside the bounds: all of them (the group passes, shifted), none, or a part,
   * which becomes a derived space of its own. Cutting through a channel's block is refused.
   */
  private slice(node: OnnxNode, nodeIndex: number, placements: readonly Placement[]): void {
    const inputShape = this.shape(node.inputs[0]!) ?? [];
    const rank = inputShape.length;
    const starts = intsAttribute(node, 'starts') ?? this.fold(node.inputs[1]);
    const ends = intsAttribute(node, 'ends') ?? this.fold(node.inputs[2]);
    const rawAxes = intsAttribute(node, 'axes') ?? (node.inputs[3] !== undefined && node.inputs[3] !== '' ? this.fold(node.inputs[3]) : starts === null ? null : starts.map((_, i) => i));
    const steps = node.inputs[4] !== undefined && node.inputs[4] !== '' ? this.fold(node.inputs[4]) : null;
    const passed: Placement[] = [];
    for (const placement of placements) {
      const axes = rawAxes?.map((axis) => (axis < 0 ? axis + rank : axis)) ?? null;
      const k = axes?.indexOf(placement.axis) ?? -2;
      if (k === -1) {
        passed.push(placement);
        continue;
      }
      const length = inputShape[placement.axis] ?? 0;
      const bound = (value: number | undefined) => (value === undefined ? null : Math.min(length, Math.max(0, value < 0 ? value + length : value)));
      const start = bound(starts?.[k]);
      const end = bound(ends?.[k]);
      if (k === -2 || start === null || end === null || (steps?.[k] ?? 1) !== 1) {
        this.blockAll([placement], node, nodeIndex, k === -2 || start === null || end === null ? 'slices along axes or bounds that are not constants' : 'slices the channel axis with a step');
        continue;
      }
      const size = this.sizes[this.find(placement.space)]!;
      const first = Math.max(start, placement.offset);
      const last = Math.min(end, placement.offset + size * placement.block);
      if (last <= first) continue; // none of these channels is kept
      if ((first - placement.offset) % placement.block !== 0 || (last - placement.offset) % placement.block !== 0) {
        this.blockAll([placement], node, nodeIndex, 'slices through the positions of single channels');
        continue;
      }
      const from = (first - placement.offset) / placement.block;
      const to = (last - placement.offset) / placement.block;
      const space = from === 0 && to === size ? placement.space : this.derive(placement.space, to - from, from, 0, 1, node, nodeIndex);
      passed.push({ space, axis: placement.axis, offset: first - start, block: placement.block });
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
    const ownSides = new Map<number, GroupLayerSide[]>();
    const ownMembers = new Map<number, GroupMember[]>();
    const order: number[] = [];
    const note = (root: number) => {
      if (!ownSides.has(root)) {
        ownSides.set(root, []);
        ownMembers.set(root, []);
        order.push(root);
      }
    };
    for (const { space, ...side } of this.sides) {
      const root = this.find(space);
      note(root);
      ownSides.get(root)!.push(side);
    }
    for (const { space, ...member } of this.members) {
      const root = this.find(space);
      note(root);
      ownMembers.get(root)!.push(member);
    }
    for (const d of this.derivations) {
      note(this.find(d.parent));
      note(this.find(d.child));
    }
    this.refuseOverlaps();
    const into = new Map<number, Derivation[]>(); // by child root
    const split = new Map<number, Derivation>(); // a parent root's first cut
    for (const d of this.derivations) {
      const child = this.find(d.child);
      into.set(child, [...(into.get(child) ?? []), d]);
      if (!split.has(this.find(d.parent))) split.set(this.find(d.parent), d);
    }
    // a derived space inherits its parent's blocks and, moved to its positions, its members and layer sides
    const inherited = new Map<number, { block: GroupBlock | null; members: GroupMember[]; sides: GroupLayerSide[] }>();
    const resolve = (root: number, visiting: Set<number>): { block: GroupBlock | null; members: GroupMember[]; sides: GroupLayerSide[] } => {
      const known = inherited.get(root);
      if (known !== undefined) return known;
      let block = this.blocks[root] ?? null;
      const members = [...(ownMembers.get(root) ?? [])];
      const sides = [...(ownSides.get(root) ?? [])];
      visiting.add(root);
      for (const d of into.get(root) ?? []) {
        const parentRoot = this.find(d.parent);
        if (visiting.has(parentRoot)) {
          block ??= this.refusal(d.node, d.nodeIndex, 'derives channels from a group that contains them');
          continue;
        }
        const parent = resolve(parentRoot, visiting);
        block ??= parent.block;
        for (let h = 0; h < d.copies; h++) {
          const shift = d.start + h * d.stride;
          for (const m of parent.members) members.push({ ...m, offset: m.offset + shift * m.block });
          for (const side of parent.sides) sides.push({ ...side, offset: side.offset + shift * side.block });
        }
      }
      visiting.delete(root);
      const result = { block, members: unique(members, (m) => `${m.nodeIndex}:${m.input}:${m.axis}:${m.offset}:${m.block}`), sides: unique(sides, (x) => `${x.layer}:${x.side}:${x.offset}`) };
      inherited.set(root, result);
      return result;
    };
    return order.map((root, id) => {
      const { block, members, sides } = resolve(root, new Set());
      const cut = split.get(root);
      const blockedBy = block ?? (cut === undefined ? null : this.refusal(cut.node, cut.nodeIndex, 'cuts these channels into parts that go separate ways (a slice, attention heads); each part is a channel group of its own, and this group cannot be permuted whole'));
      return { id, size: this.sizes[root]!, permutable: blockedBy === null, blockedBy, members, layers: sides };
    });
  }

  /** Two parts of one space that share channels would need two different permutations of them: refuse both. */
  private refuseOverlaps(): void {
    const covered = (d: Derivation) => {
      const channels = new Set<number>();
      const size = this.sizes[d.child]!;
      for (let h = 0; h < d.copies; h++) for (let i = 0; i < size; i++) channels.add(d.start + h * d.stride + i);
      return channels;
    };
    this.derivations.forEach((first, k) => {
      const channels = covered(first);
      for (const second of this.derivations.slice(k + 1)) {
        if (this.find(first.parent) !== this.find(second.parent)) continue;
        const same = first.start === second.start && first.stride === second.stride && first.copies === second.copies && this.sizes[first.child] === this.sizes[second.child];
        if (same && this.find(first.child) === this.find(second.child)) continue;
        if (![...covered(second)].some((c) => channels.has(c))) continue;
        const reason = this.refusal(second.node, second.nodeIndex, `takes channels that node ${JSON.stringify(nodeLabel(first.node, first.nodeIndex))} also takes, so no permutation of one part leaves the other in place`);
        this.block(first.child, reason);
        this.block(second.child, reason);
      }
    });
  }
}

function unique<T>(values: readonly T[], key: (value: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const k = key(value);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where a placement lands after a row-major reshape from `input` to `output`, or `null` when its channels are split. */
function reshapePlacement(placement: Placement, input: readonly number[], output: readonly number[]): Placement[] | null {
  const outer = product(input.slice(0, placement.axis));
  const inner = product(input.slice(placement.axis + 1));
  const start = placement.offset * inner;
  const run = placement.block * inner;
  const length = (input[placement.axis] ?? 1) * inner;
  let best: Placement | null = null;
  let merged: Placement[] | null = null;
  for (let t = 0; t < output.length; t++) {
    const before = product(output.slice(0, t));
    const stride = product(output.slice(t + 1));
    if (outer % before !== 0 || start % stride !== 0 || run % stride !== 0) continue;
    if (before !== outer) {
      // the last `outer / before` indices before the channels merge into axis t: one placement per index
      if (length % stride === 0) {
        const copies = outer / before;
        merged = Array.from({ length: copies }, (_, h) => ({ ...placement, axis: t, offset: (h * length + start) / stride, block: run / stride }));
      }
      continue;
    }
    const candidate = { ...placement, axis: t, offset: start / stride, block: run / stride };
    // axes of size 1 around the target share its outer index: take the one that holds the channels
    if (best === null || output[t]! > 1) best = candidate;
    if (output[t]! > 1) break;
  }
  return best !== null ? [best] : merged;
}

/**
 * A reshape that cuts a placement covering its whole axis into `copies` equal runs, one per index
 * of a new outer factor (heads), each landing on output axis `axis`: `channels` per run, `block`
 * positions each. `null` for any other cut.
 */
function headSplit(placement: Placement, size: number, input: readonly number[], output: readonly number[]): { axis: number; channels: number; copies: number; block: number } | null {
  const outer = product(input.slice(0, placement.axis));
  const inner = product(input.slice(placement.axis + 1));
  const length = input[placement.axis] ?? 0;
  if (placement.offset !== 0 || size * placement.block !== length) return null;
  for (let t = output.length - 1; t >= 0; t--) {
    const before = product(output.slice(0, t));
    const stride = product(output.slice(t + 1));
    const span = output[t]! * stride;
    if (before % outer !== 0 || before === outer || (length * inner) % span !== 0 || span % (placement.block * inner) !== 0 || (placement.block * inner) % stride !== 0) continue;
    const copies = before / outer;
    if (copies * span !== length * inner) continue;
    return { axis: t, channels: span / (placement.block * inner), copies, block: (placement.block * inner) / stride };
  }
  return null;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** The group with the given id, or an `InvalidArgumentError` naming the ids there are. */
export function groupById(analysis: ChannelGroupAnalysis, id: number, operation: string): ChannelGroup {
  const group = analysis.groups[id];
  if (group === undefined || group.id !== id) {
    throw new InvalidArgumentError({ operation, argument: 'group', what: `no channel group ${id}; the analysis has groups 0..${analysis.groups.length - 1}`, ...netsScope });
  }
  return group;
}
