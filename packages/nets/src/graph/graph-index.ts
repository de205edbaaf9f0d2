import type { OnnxModel, OnnxNode, Tensor } from '@descramble/io';

/**
 * A constant value of the graph as the nodes see it: an initializer, or the tensor of a
 * `Constant` node, reached through any chain of `Identity` nodes (the exporter aliases
 * deduplicated initializers that way). `source` is the initializer's name or the Constant
 * node's output name.
 */
export interface GraphConstant {
  readonly source: string;
  readonly tensor: Tensor;
  /** Whether `source` is an initializer (otherwise the output of a Constant node). */
  readonly isInitializer: boolean;
}

/** Look-ups over one graph: producers, consumers and constants. */
export interface GraphIndex {
  readonly model: OnnxModel;
  /** The node producing each value, by node index. */
  readonly producer: ReadonlyMap<string, number>;
  /** The nodes reading each value, as (node index, input index). */
  readonly consumers: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** Graph output names. */
  readonly graphOutputs: ReadonlySet<string>;
  /** The opset of the default domain. */
  readonly opset: number;
  /** The constant behind a value name, or `null` for a computed value. */
  constant(name: string): GraphConstant | null;
}

/** Builds the look-ups once; the model is not modified. */
export function indexGraph(model: OnnxModel): GraphIndex {
  const { nodes, initializers } = model.graph;
  const producer = new Map<string, number>();
  const consumers = new Map<string, [number, number][]>();
  nodes.forEach((node, index) => {
    for (const output of node.outputs) if (output !== '') producer.set(output, index);
    node.inputs.forEach((input, slot) => {
      if (input === '') return;
      const list = consumers.get(input);
      if (list === undefined) consumers.set(input, [[index, slot]]);
      else list.push([index, slot]);
    });
  });
  const memo = new Map<string, GraphConstant | null>();
  const constant = (name: string): GraphConstant | null => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    let result: GraphConstant | null = null;
    const initializer = initializers.get(name);
    if (initializer !== undefined) {
      result = { source: name, tensor: initializer, isInitializer: true };
    } else {
      const index = producer.get(name);
      const node = index === undefined ? undefined : nodes[index];
      if (node?.opType === 'Identity' && node.inputs[0] !== undefined) result = constant(node.inputs[0]);
      else if (node?.opType === 'Constant') {
        const tensor = constantNodeTensor(node);
        if (tensor !== null) result = { source: name, tensor, isInitializer: false };
      }
    }
    memo.set(name, result);
    return result;
  };
  const opset = model.opsetImports.find((entry) => entry.domain === '' || entry.domain === 'ai.onnx')?.version ?? 1;
  return { model, producer, consumers, graphOutputs: new Set(model.graph.outputs.map((output) => output.name)), opset, constant };
}

function constantNodeTensor(node: OnnxNode): Tensor | null {
  const { value, value_float: valueFloat, value_int: valueInt, value_floats: valueFloats, value_ints: valueInts } = node.attributes;
  if (value?.type === 'tensor') return value.value;
  if (valueFloat?.type === 'float') return { dtype: 'float32', shape: [], data: Float64Array.of(valueFloat.value) };
  if (valueInt?.type === 'int') return { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(valueInt.value)) };
  if (valueFloats?.type === 'floats') return { dtype: 'float32', shape: [valueFloats.value.length], data: Float64Array.from(valueFloats.value) };
  if (valueInts?.type === 'ints') return { dtype: 'int64', shape: [valueInts.value.length], data: BigInt64Array.from(valueInts.value, BigInt) };
  return null;
}

/** The entries of a constant integer tensor as numbers (axes, pads, shapes), or `null` when not integer. */
export function integerValues(tensor: Tensor): number[] | null {
  if (tensor.dtype === 'int64' || tensor.dtype === 'uint64') return Array.from(tensor.data, Number);
  if (tensor.data.every((value) => Number.isInteger(value))) return Array.from(tensor.data);
  return null;
}

/** An integer attribute, or `fallback`. */
export function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const attribute = node.attributes[name];
  return attribute?.type === 'int' ? attribute.value : fallback;
}

/** A float attribute, or `fallback`. */
export function floatAttribute(node: OnnxNode, name: string, fallback: number): number {
  const attribute = node.attributes[name];
  return attribute?.type === 'float' ? attribute.value : fallback;
}

/** An integer-list attribute, or `null`. */
export function intsAttribute(node: OnnxNode, name: string): readonly number[] | null {
  const attribute = node.attributes[name];
  return attribute?.type === 'ints' ? attribute.value : null;
}

/** A readable label for a node in messages: its name, or its type and index when unnamed. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return node.name !== '' ? node.name : `${node.opType} #${index}`;
}
