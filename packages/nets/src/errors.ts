/**
 * Typed errors of `@descramble/nets`. Every message follows one pattern:
 * `nets: <function>: <what was wrong>`.
 *
 * `InvalidArgumentError` is `@descramble/linalg`'s class, thrown with {@link netsScope} and
 * re-exported here; `ShapeMismatchError` and `NonFiniteValueError` keep this package's names as
 * subclasses of linalg's `DimensionMismatchError` and `NonFiniteInputError`, so a caller can catch
 * either name. Only the errors particular to networks are defined here.
 */

import { DimensionMismatchError, type ErrorScope, NonFiniteInputError, scopedErrorBase } from '@descramble/linalg';

export { InvalidArgumentError } from '@descramble/linalg';

/** The last argument of every shared error this package throws: messages read `nets: ...`. */
export const netsScope: ErrorScope = { scope: 'nets' };

/** Base class of this package's errors: `instanceof NetsError` holds for every error it throws. */
export const NetsError = scopedErrorBase('nets', 'NetsError');
/** An error thrown by `@descramble/nets`. */
export type NetsError = InstanceType<typeof NetsError>;

/** A tensor's shape did not match what a layer or function needs (a `DimensionMismatchError`). */
export class ShapeMismatchError extends DimensionMismatchError {
  override readonly name: string = 'ShapeMismatchError';
  /** What was being checked, e.g. `"input of layer fc2"`. */
  readonly what: string;

  constructor(operation: string, what: string, expected: string, actual: string) {
    super(operation, what, expected, actual, netsScope);
    this.what = what;
  }
}

/** An input (data, weights or a hyperparameter) held NaN or +-Infinity, or training diverged (a `NonFiniteInputError`). */
export class NonFiniteValueError extends NonFiniteInputError {
  override readonly name: string = 'NonFiniteValueError';

  constructor(operation: string, location: string, value: number) {
    super(operation, location, value, netsScope);
  }
}

/** A layer was referred to by a name or index the model does not have. */
export class UnknownLayerError extends NetsError {
  override readonly name = 'UnknownLayerError';
  /** The name or index that was asked for. */
  readonly layer: string;
  /** The names the model has. */
  readonly available: readonly string[];

  constructor(operation: string, layer: string | number, available: readonly string[]) {
    super(operation, `no layer ${JSON.stringify(layer)}; the model has ${available.map((n) => JSON.stringify(n)).join(', ')}`);
    this.layer = String(layer);
    this.available = available;
  }
}

/** A model file uses an operator or attribute this package does not translate. */
export class UnsupportedOperatorError extends NetsError {
  override readonly name = 'UnsupportedOperatorError';
  /** The operator type, e.g. `"LSTM"`, or a layer kind. */
  readonly operator: string;
  /** The node or layer name in the file. */
  readonly node: string;

  constructor(operation: string, operator: string, node: string, detail: string) {
    super(operation, `operator ${operator} (node ${JSON.stringify(node)}): ${detail}`);
    this.operator = operator;
    this.node = node;
  }
}

/** A tensor named by an architecture spec or a graph node is missing from the file. */
export class MissingTensorError extends NetsError {
  override readonly name = 'MissingTensorError';
  /** The tensor name that was looked up. */
  readonly tensor: string;

  constructor(operation: string, tensor: string, detail = 'not found among the tensors') {
    super(operation, `tensor ${JSON.stringify(tensor)}: ${detail}`);
    this.tensor = tensor;
  }
}

/** A permutation or signed permutation is malformed (wrong length, repeated index, sign not +-1). */
export class InvalidPermutationError extends NetsError {
  override readonly name = 'InvalidPermutationError';
  /** Why it was rejected. */
  readonly reason: string;

  constructor(operation: string, reason: string) {
    super(operation, `invalid permutation: ${reason}`);
    this.reason = reason;
  }
}

/**
 * A signed permutation was asked for across an activation that is not odd (only identity and tanh
 * satisfy sigma(-x) = -sigma(x)), so flipping signs would change the network's function.
 */
export class NotOddActivationError extends NetsError {
  override readonly name = 'NotOddActivationError';
  /** The hidden layer whose units were to be flipped. */
  readonly layer: string;
  /** The offending activation. */
  readonly activation: string;

  constructor(operation: string, layer: string, activation: string) {
    super(
      operation,
      `cannot flip signs of layer ${JSON.stringify(layer)}: activation ${activation} is not odd (only identity and tanh are)`,
    );
    this.layer = layer;
    this.activation = activation;
  }
}

/** An optional peer package is not installed; `instructions` says how to add it. */
export class OptionalDependencyError extends NetsError {
  override readonly name = 'OptionalDependencyError';
  /** The npm package that is missing. */
  readonly dependency: string;
  /** How to add it. */
  readonly instructions: string;

  constructor(operation: string, dependency: string, instructions: string) {
    super(operation, `optional dependency ${dependency} is not installed. ${instructions}`);
    this.dependency = dependency;
    this.instructions = instructions;
  }
}

/** A capture saw no samples: a Gram of zero samples is not data, so it is refused. */
export class EmptyInputError extends NetsError {
  override readonly name = 'EmptyInputError';
  /** The layer whose values were to be captured. */
  readonly layer: string;

  constructor(operation: string, layer: string) {
    super(operation, `no samples reached layer ${JSON.stringify(layer)}: the inputs are empty`);
    this.layer = layer;
  }
}

/**
 * A layer produced a non-finite value from finite inputs (an overflow in the forward pass, e.g.
 * an input of 3e38 through a dense layer). A `NonFiniteValueError` that also names the layer and
 * the sample (row of the inputs, counted over all blocks) where it first appeared.
 */
export class NonFiniteActivationError extends NonFiniteValueError {
  override readonly name: string = 'NonFiniteActivationError';
  /** The first layer whose output held the non-finite value. */
  readonly layer: string;
  /** Index of the sample (over all blocks of the inputs, from 0) where it first appeared. */
  readonly sample: number;

  constructor(operation: string, layer: string, sample: number, value: number) {
    super(operation, `the output of layer ${JSON.stringify(layer)} for sample ${sample} (an overflow in the forward pass)`, value);
    this.layer = layer;
    this.sample = sample;
  }
}
