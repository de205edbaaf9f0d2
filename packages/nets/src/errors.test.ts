/**
 * Every nets error class, table-driven: built from its options object, it has its name, kind,
 * message and detail; `isInstance` holds for it (and for its revived twin from another thread)
 * and fails for a sibling class.
 */
import { DescrambleError, DimensionMismatchError, NonFiniteInputError, reviveError, serializeError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import {
  EmptyInputError,
  GraphMismatchError,
  InvalidPermutationError,
  MissingTensorError,
  NetsError,
  type NetsFailure,
  NonFiniteActivationError,
  NonFiniteGramError,
  NonFiniteValueError,
  NotOddActivationError,
  OptionalDependencyError,
  ShapeMismatchError,
  UnknownLayerError,
  UnsupportedOperatorError,
} from './index.js';

interface ErrorClass {
  readonly name: string;
  isInstance(value: unknown): boolean;
}

interface Case {
  readonly make: (cause?: unknown) => NetsFailure;
  readonly errorClass: ErrorClass;
  readonly kind: NetsFailure['kind'];
  readonly message: string;
  readonly detail: Record<string, unknown>;
  readonly sibling: ErrorClass;
  /** The shared kind a subclass kept for its name extends. */
  readonly shared?: ErrorClass;
}

const cases: readonly Case[] = [
  {
    make: (cause) => new ShapeMismatchError({ operation: 'forward', what: 'input', expected: '[N, 3]', actual: '[N, 4]', cause }),
    errorClass: ShapeMismatchError,
    kind: 'DimensionMismatch',
    message: 'nets: forward: input: expected [N, 3], got [N, 4]',
    detail: { what: 'input', expected: '[N, 3]', actual: '[N, 4]' },
    sibling: NonFiniteValueError,
    shared: DimensionMismatchError,
  },
  {
    make: (cause) => new NonFiniteValueError({ operation: 'train', location: 'loss at epoch 3', value: Number.NaN, cause }),
    errorClass: NonFiniteValueError,
    kind: 'NonFiniteInput',
    message: 'nets: train: non-finite value NaN at loss at epoch 3',
    detail: { location: 'loss at epoch 3', value: 'NaN' },
    sibling: ShapeMismatchError,
    shared: NonFiniteInputError,
  },
  {
    make: (cause) => new NonFiniteActivationError({ operation: 'capture', layer: 'fc1', sample: 7, value: Number.POSITIVE_INFINITY, cause }),
    errorClass: NonFiniteActivationError,
    kind: 'NonFiniteInput',
    message: 'nets: capture: non-finite value Infinity at the output of layer "fc1" for sample 7 (an overflow in the forward pass)',
    detail: { location: 'the output of layer "fc1" for sample 7 (an overflow in the forward pass)', value: 'Infinity' },
    sibling: NonFiniteGramError,
    shared: NonFiniteValueError,
  },
  {
    make: (cause) => new NonFiniteGramError({ operation: 'captureGrams', layer: 'conv1', firstSample: 64, endSample: 128, value: Number.NaN, cause }),
    errorClass: NonFiniteGramError,
    kind: 'NonFiniteInput',
    message: 'nets: captureGrams: non-finite value NaN at the Gram of layer "conv1" after samples 64 to 127 (an overflow in the forward pass)',
    detail: { location: 'the Gram of layer "conv1" after samples 64 to 127 (an overflow in the forward pass)', value: 'NaN' },
    sibling: NonFiniteActivationError,
    shared: NonFiniteValueError,
  },
  {
    make: (cause) => new UnknownLayerError({ operation: 'layerByName', layer: 3, available: ['fc1', 'fc2'], cause }),
    errorClass: UnknownLayerError,
    kind: 'UnknownLayer',
    message: 'nets: layerByName: no layer 3; the model has "fc1", "fc2"',
    detail: { layer: '3', available: ['fc1', 'fc2'] },
    sibling: MissingTensorError,
  },
  {
    make: (cause) => new UnsupportedOperatorError({ operation: 'modelFromOnnx', operator: 'Gemm', node: 'gemm_0', reason: 'transA = 1 is not supported', cause }),
    errorClass: UnsupportedOperatorError,
    kind: 'UnsupportedOperator',
    message: 'nets: modelFromOnnx: operator Gemm (node "gemm_0"): transA = 1 is not supported',
    detail: { operator: 'Gemm', node: 'gemm_0', reason: 'transA = 1 is not supported' },
    sibling: GraphMismatchError,
  },
  {
    make: (cause) => new MissingTensorError({ operation: 'modelFromTensors', tensor: 'fc1.weight', cause }),
    errorClass: MissingTensorError,
    kind: 'MissingTensor',
    message: 'nets: modelFromTensors: tensor "fc1.weight": not found among the tensors',
    detail: { tensor: 'fc1.weight', reason: 'not found among the tensors' },
    sibling: UnknownLayerError,
  },
  {
    make: (cause) => new InvalidPermutationError({ operation: 'signedPermutation', reason: 'index 2 appears twice', cause }),
    errorClass: InvalidPermutationError,
    kind: 'InvalidPermutation',
    message: 'nets: signedPermutation: invalid permutation: index 2 appears twice',
    detail: { reason: 'index 2 appears twice' },
    sibling: NotOddActivationError,
  },
  {
    make: (cause) => new NotOddActivationError({ operation: 'reparametrise', layer: 'fc1', activation: 'relu', cause }),
    errorClass: NotOddActivationError,
    kind: 'NotOddActivation',
    message: 'nets: reparametrise: cannot flip signs of layer "fc1": activation relu is not odd (only identity and tanh are)',
    detail: { layer: 'fc1', activation: 'relu' },
    sibling: InvalidPermutationError,
  },
  {
    make: (cause) => new OptionalDependencyError({ operation: 'loadOnnxRuntime', dependency: 'onnxruntime-node', instructions: 'Run npm install onnxruntime-node.', cause }),
    errorClass: OptionalDependencyError,
    kind: 'OptionalDependency',
    message: 'nets: loadOnnxRuntime: optional dependency onnxruntime-node is not installed. Run npm install onnxruntime-node.',
    detail: { dependency: 'onnxruntime-node', instructions: 'Run npm install onnxruntime-node.' },
    sibling: UnsupportedOperatorError,
  },
  {
    make: (cause) => new EmptyInputError({ operation: 'capture', layer: 'fc2', cause }),
    errorClass: EmptyInputError,
    kind: 'EmptyInput',
    message: 'nets: capture: no samples reached layer "fc2": the inputs are empty',
    detail: { layer: 'fc2' },
    sibling: NonFiniteValueError,
  },
  {
    make: (cause) => new GraphMismatchError({ operation: 'matchGraphs', difference: '2 linear layers in the first graph, 3 in the second', cause }),
    errorClass: GraphMismatchError,
    kind: 'GraphMismatch',
    message: 'nets: matchGraphs: the graphs differ: 2 linear layers in the first graph, 3 in the second',
    detail: { difference: '2 linear layers in the first graph, 3 in the second' },
    sibling: ShapeMismatchError,
  },
];

describe('nets errors', () => {
  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s: options, name, kind, message, detail, isInstance', (_, c) => {
    const error = c.make();
    expect(error.name).toBe(c.errorClass.name);
    expect(error.kind).toBe(c.kind);
    expect(error.message).toBe(c.message);
    expect(error.detail).toEqual(c.detail);
    expect(error.scope).toBe('nets');
    expect(error.cause).toBeUndefined();
    expect(c.errorClass.isInstance(error)).toBe(true);
    expect(c.sibling.isInstance(error)).toBe(false);
    if (c.shared !== undefined) expect(c.shared.isInstance(error)).toBe(true);
    expect(NetsError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
    // A twin from another thread (or another installed copy) passes the same tests.
    const revived = reviveError(serializeError(error)!);
    expect(revived.message).toBe(c.message);
    expect(c.errorClass.isInstance(revived)).toBe(true);
    expect(c.sibling.isInstance(revived)).toBe(false);
  });

  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s keeps its cause', (_, c) => {
    const cause = new Error('underlying');
    const error = c.make(cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(c.message);
  });

  it('the fields of the subclasses that extend a shared kind', () => {
    const activation = new NonFiniteActivationError({ operation: 'capture', layer: 'fc1', sample: 7, value: Number.POSITIVE_INFINITY });
    expect(activation).toMatchObject({ layer: 'fc1', sample: 7, value: Number.POSITIVE_INFINITY });
    const gram = new NonFiniteGramError({ operation: 'captureGrams', layer: 'conv1', firstSample: 64, endSample: 128, value: Number.NaN });
    expect(gram).toMatchObject({ layer: 'conv1', firstSample: 64, endSample: 128 });
    expect(new MissingTensorError({ operation: 'graphLayers', tensor: 'w', reason: 'is not an initializer' }).message).toBe('nets: graphLayers: tensor "w": is not an initializer');
  });

  it('each own class has its own kind; the subclasses kept for their names keep the shared kind', () => {
    const own = cases.filter((c) => c.shared === undefined).map((c) => c.kind);
    expect(new Set(own).size).toBe(own.length);
    expect(own).not.toContain('DimensionMismatch');
    expect(own).not.toContain('NonFiniteInput');
  });
});
