import { isFloatDType, type OnnxModel, type OnnxNode, type Tensor as IoTensor } from '@descramble/io';
import { InvalidArgumentError, netsScope } from '../errors.js';

/**
 * The model whose every float weight is `(1 - alpha) a + alpha b`: a point on the straight line
 * between two networks of one architecture (weight matching is judged along this line). The
 * two graphs must have the same nodes (operator, attributes and wiring, in order; values may be
 * named differently, being paired by position);
 * weights are paired by position, node by node, so `b` may name its initializers differently
 * (a permuted export that split a shared initializer, say): an initializer of `a` paired with two
 * different ones of `b` gives two initializers (`name`, `name#2`). Integer initializers (shapes,
 * indices) must be equal. Neither model is modified.
 *
 * @throws InvalidArgumentError naming the first node or initializer where the graphs differ.
 */
export function interpolateGraphs(a: OnnxModel, b: OnnxModel, alpha: number): OnnxModel {
  const operation = 'interpolateGraphs';
  if (!Number.isFinite(alpha)) throw new InvalidArgumentError({ operation, argument: 'alpha', what: `must be finite, got ${alpha}`, ...netsScope });
  const differ = (what: string) => new InvalidArgumentError({ operation, argument: 'b', what: `is not the same architecture as a: ${what}`, ...netsScope });
  const nodesA = a.graph.nodes;
  const nodesB = b.graph.nodes;
  if (nodesA.length !== nodesB.length) throw differ(`${nodesA.length} nodes against ${nodesB.length}`);
  const initA = a.graph.initializers;
  const initB = b.graph.initializers;
  const pairs = new Map<string, string>(); // `${nameA}\0${nameB}` -> name in the result
  const taken = new Map<string, number>();
  const initializers = new Map<string, IoTensor>();
  const pair = (nameA: string, nameB: string, where: string): string => {
    const key = `${nameA}\0${nameB}`;
    const known = pairs.get(key);
    if (known !== undefined) return known;
    const uses = (taken.get(nameA) ?? 0) + 1;
    taken.set(nameA, uses);
    const name = uses === 1 ? nameA : `${nameA}#${uses}`;
    pairs.set(key, name);
    initializers.set(name, mix(initA.get(nameA) as IoTensor, initB.get(nameB) as IoTensor, alpha, `${where} (${JSON.stringify(nameA)} and ${JSON.stringify(nameB)})`, differ));
    return name;
  };
  // values are paired by position too (exporters name them differently): b's graph inputs and
  // node outputs, by position, are a's
  const valueOfA = new Map<string, string>([['', '']]);
  a.graph.inputs.forEach((input, index) => {
    const other = b.graph.inputs[index];
    if (other !== undefined) valueOfA.set(other.name, input.name);
  });
  nodesA.forEach((nodeA, index) => {
    for (const [slot, output] of (nodesB[index]?.outputs ?? []).entries()) valueOfA.set(output, nodeA.outputs[slot] ?? output);
  });
  const nodes: OnnxNode[] = nodesA.map((nodeA, index) => {
    const nodeB = nodesB[index] as OnnxNode;
    const where = `node ${index} (${nodeA.opType} ${JSON.stringify(nodeA.name)})`;
    if (nodeA.opType !== nodeB.opType || nodeA.domain !== nodeB.domain || nodeA.inputs.length !== nodeB.inputs.length) {
      throw differ(`${where} is ${nodeB.opType} ${JSON.stringify(nodeB.name)} in b`);
    }
    const clash = differingAttribute(nodeA, nodeB);
    if (clash !== undefined) throw differ(`${where} has attribute ${clash} = ${attributeText(nodeB, clash)} in b, ${attributeText(nodeA, clash)} in a`);
    const inputs = nodeA.inputs.map((inputA, slot) => {
      const inputB = nodeB.inputs[slot] as string;
      const weightA = initA.has(inputA);
      if (weightA !== initB.has(inputB)) throw differ(`input ${slot} of ${where} is a weight in one model only`);
      if (weightA) return pair(inputA, inputB, `input ${slot} of ${where}`);
      if (valueOfA.get(inputB) !== inputA) throw differ(`input ${slot} of ${where} is ${JSON.stringify(inputA)} in a, ${JSON.stringify(inputB)} in b`);
      return inputA;
    });
    return { ...nodeA, inputs };
  });
  // initializers no node reads (graph outputs of weights, say) are kept from a
  for (const [name, tensor] of initA) if (!taken.has(name)) initializers.set(name, tensor);
  return { ...a, graph: { ...a.graph, nodes, initializers } };
}

/**
 * The first attribute both nodes set to different values. One exporter may write a default that
 * another leaves out (a Conv's `dilations`, say), so an attribute set on one side only is not a
 * difference. Tensor-valued attributes (Constant nodes may hold weights) are compared by shape.
 */
function differingAttribute(a: OnnxNode, b: OnnxNode): string | undefined {
  for (const [name, attribute] of Object.entries(a.attributes)) {
    const other = b.attributes[name];
    if (other === undefined) continue;
    if (attributeText(a, name) !== attributeText(b, name) || attribute.type !== other.type) return name;
  }
  return undefined;
}

function attributeText(node: OnnxNode, name: string): string {
  const attribute = node.attributes[name];
  if (attribute === undefined) return 'unset';
  return attribute.type === 'tensor' ? `${attribute.value.dtype} [${attribute.value.shape.join(', ')}]` : JSON.stringify(attribute.value);
}

function mix(a: IoTensor, b: IoTensor, alpha: number, where: string, differ: (what: string) => Error): IoTensor {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((dim, axis) => dim !== b.shape[axis])) {
    throw differ(`${where}: ${a.dtype} [${a.shape.join(', ')}] against ${b.dtype} [${b.shape.join(', ')}]`);
  }
  if (!isFloatDType(a.dtype) || !(a.data instanceof Float64Array) || !(b.data instanceof Float64Array)) {
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) throw differ(`${where}: integer values differ`);
    return a;
  }
  const data = new Float64Array(a.data.length);
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < data.length; i++) data[i] = (1 - alpha) * (da[i] as number) + alpha * (db[i] as number);
  return { dtype: a.dtype, shape: a.shape, data } as IoTensor;
}
