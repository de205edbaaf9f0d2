import type { OnnxModel, OnnxNode, Tensor } from '@descramble/io';
import { InvalidPermutationError } from '../errors.js';
import { signedPermutation } from '../reparametrise.js';
import { type ChannelGroupAnalysis, groupById } from './channel-groups.js';
import { indexGraph } from './graph-index.js';

/** One move of a constant's axis: positions `[offset + i block, offset + (i + 1) block)` take old channel `permutation[i]`'s. */
interface AxisMove {
  readonly group: number;
  readonly axis: number;
  readonly offset: number;
  readonly block: number;
}

/**
 * The model with each permutable group's channels permuted: for group g with permutation p,
 * new channel i is old channel `p[i]` (the convention of `permuteHiddenUnits`), applied to every
 * constant axis the group moves (weights on both sides, biases, normalisation parameters). The
 * network computes the same function: each layer's units are reordered and every reader of
 * them reorders its inputs to match. Graph inputs and outputs are untouched.
 *
 * A constant read by several nodes that need different moves (shared by two groups, or used
 * both inside and outside a group, possibly through Identity aliases) is duplicated, one copy
 * per distinct move, rather than permuted twice. Groups left out of `permutations` stay as
 * they are; only permutations (no sign flips) are offered, because a sign flip does not
 * commute with ReLU, GELU or the other non-odd activations that real graphs use.
 */
export function permuteGraph(model: OnnxModel, analysis: ChannelGroupAnalysis, permutations: ReadonlyMap<number, ArrayLike<number>>): OnnxModel {
  const operation = 'permuteGraph';
  const perms = new Map<number, Int32Array>();
  for (const [id, permutation] of permutations) {
    const group = groupById(analysis, id, operation);
    if (!group.permutable) throw new InvalidPermutationError({ operation, reason: `channel group ${id} is not permutable: ${group.blockedBy?.reason ?? ''}` });
    if (permutation.length !== group.size) throw new InvalidPermutationError({ operation, reason: `channel group ${id} has ${group.size} channels but its permutation has ${permutation.length} entries` });
    const checked = signedPermutation(permutation, undefined, operation).permutation;
    if (!checked.every((value, i) => value === i)) perms.set(id, checked);
  }
  // the moves each use (node, input) of a constant needs
  const moves = new Map<string, AxisMove[]>();
  for (const id of perms.keys()) {
    for (const member of analysis.groups[id]!.members) {
      const key = `${member.nodeIndex}:${member.input}`;
      const list = moves.get(key) ?? [];
      list.push({ group: id, axis: member.axis, offset: member.offset, block: member.block });
      moves.set(key, list);
    }
  }
  const index = indexGraph(model);
  const { nodes, initializers } = model.graph;
  // every use of every constant, through Identity chains, with the key of the moves it needs
  const uses = new Map<string, { node: number; input: number; key: string; moves: AxisMove[] }[]>();
  nodes.forEach((node, nodeIndex) => {
    if (node.opType === 'Identity') return;
    node.inputs.forEach((name, input) => {
      const constant = name === '' ? null : index.constant(name);
      if (constant === null) return;
      const needed = moves.get(`${nodeIndex}:${input}`) ?? [];
      const key = needed
        .map((m) => `${m.group}/${m.axis}/${m.offset}/${m.block}`)
        .sort()
        .join('|');
      const list = uses.get(constant.source) ?? [];
      list.push({ node: nodeIndex, input, key, moves: needed });
      uses.set(constant.source, list);
    });
  });
  const graphOutputs = new Set(model.graph.outputs.map((output) => output.name));
  const newInitializers = new Map<string, Tensor>(initializers);
  const rewired = new Map<string, string>(); // `${node}:${input}` -> new value name
  const taken = new Set<string>([...initializers.keys(), ...nodes.flatMap((n) => n.outputs)]);
  for (const [source, list] of uses) {
    const keys = [...new Set(list.map((use) => use.key))];
    if (keys.length === 1 && keys[0] === '') continue;
    const constant = index.constant(source)!;
    // an initializer that no use reads unmoved (and that is no graph output itself) takes the first move in place; other moves get copies
    const inPlaceKey = constant.isInitializer && !keys.includes('') && !graphOutputs.has(source) ? keys[0] : undefined;
    for (const key of keys) {
      if (key === '') continue;
      const use = list.find((u) => u.key === key)!;
      const tensor = use.moves.reduce((t, move) => permuteAxis(t, move, perms.get(move.group)!), constant.tensor);
      if (key === inPlaceKey) {
        newInitializers.set(source, tensor);
        continue;
      }
      let name = `${source}.permuted`;
      for (let k = 2; taken.has(name); k++) name = `${source}.permuted${k}`;
      taken.add(name);
      newInitializers.set(name, tensor);
      for (const u of list) if (u.key === key) rewired.set(`${u.node}:${u.input}`, name);
    }
  }
  const newNodes: OnnxNode[] = nodes.map((node, nodeIndex) =>
    node.inputs.some((_, input) => rewired.has(`${nodeIndex}:${input}`))
      ? { ...node, inputs: node.inputs.map((name, input) => rewired.get(`${nodeIndex}:${input}`) ?? name) }
      : node,
  );
  return { ...model, graph: { ...model.graph, nodes: newNodes, initializers: newInitializers } };
}

/** A copy of `tensor` with, along `move.axis`, block i at `offset + i block` taken from old block `p[i]`. */
function permuteAxis(tensor: Tensor, move: AxisMove, p: Int32Array): Tensor {
  const { shape } = tensor;
  const outer = shape.slice(0, move.axis).reduce((a, b) => a * b, 1);
  const length = shape[move.axis]!;
  const inner = shape.slice(move.axis + 1).reduce((a, b) => a * b, 1);
  const data = tensor.data.slice() as typeof tensor.data;
  const run = move.block * inner;
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner + move.offset * inner;
    for (let i = 0; i < p.length; i++) {
      const from = base + p[i]! * run;
      data.set(tensor.data.subarray(from, from + run) as never, base + i * run);
    }
  }
  return { ...tensor, data } as Tensor;
}
