/**
 * Typed errors of `@descramble/nets`. Every message follows one pattern:
 * `nets: <function>: <what was wrong>`.
 *
 * `InvalidArgumentError` is `@descramble/core`'s class, thrown with {@link netsScope} and
 * re-exported here; `ShapeMismatchError` and `NonFiniteValueError` keep this package's names as
 * subclasses of core's `DimensionMismatchError` and `NonFiniteInputError`, so a caller can catch
 * either name. Only the errors particular to networks are defined here.
 */

import {
  DimensionMismatchError,
  type ErrorContext,
  hasErrorMarker,
  type InvalidArgumentError,
  markErrorClass,
  NonFiniteInputError,
  scopedErrorBase,
} from '@descramble/core';

export { InvalidArgumentError } from '@descramble/core';

/** The last argument of every shared error this package throws: messages read `nets: ...`. */
export const netsScope = { scope: 'nets' } as const;

/** Base class of this package's errors: `NetsError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const NetsError = scopedErrorBase('nets', 'NetsError');
/** An error thrown by `@descramble/nets`. */
export type NetsError = InstanceType<typeof NetsError>;

/** What every constructor of this package's errors takes besides its own facts: the function, and optionally the cause. */
export type NetsErrorContext = Omit<ErrorContext, 'scope'>;

/** A tensor's shape did not match what a layer or function needs (a `DimensionMismatchError`). */
export class ShapeMismatchError extends DimensionMismatchError {
  override readonly name: string = 'ShapeMismatchError';

  static {
    markErrorClass(ShapeMismatchError, 'ShapeMismatchError');
  }
  /** `what` (a field of every DimensionMismatchError) says what was checked, e.g. `"input of layer fc2"`. */
  constructor(options: NetsErrorContext & { readonly what: string; readonly expected: string; readonly actual: string }) {
    super({ ...options, ...netsScope });
  }

  static override isInstance(value: unknown): value is ShapeMismatchError {
    return hasErrorMarker(value, 'ShapeMismatchError');
  }
}

/** An input (data, weights or a hyperparameter) held NaN or +-Infinity, or training diverged (a `NonFiniteInputError`). */
export class NonFiniteValueError extends NonFiniteInputError {
  override readonly name: string = 'NonFiniteValueError';

  static {
    markErrorClass(NonFiniteValueError, 'NonFiniteValueError');
  }

  constructor(options: NetsErrorContext & { readonly location: string; readonly value: number }) {
    super({ ...options, ...netsScope });
  }

  static override isInstance(value: unknown): value is NonFiniteValueError {
    return hasErrorMarker(value, 'NonFiniteValueError');
  }
}

/** A layer was referred to by a name or index the model does not have. */
export class UnknownLayerError extends NetsError {
  override readonly name = 'UnknownLayerError';
  override readonly kind = 'UnknownLayer' as const;

  static {
    markErrorClass(UnknownLayerError, 'UnknownLayerError');
  }
  /** The name or index that was asked for. */
  readonly layer: string;
  /** The names the model has. */
  readonly available: readonly string[];

  constructor(options: NetsErrorContext & { readonly layer: string | number; readonly available: readonly string[] }) {
    const { layer, available } = options;
    super({ ...options, reason: `no layer ${JSON.stringify(layer)}; the model has ${available.map((n) => JSON.stringify(n)).join(', ')}`, detail: { layer: String(layer), available } });
    this.layer = String(layer);
    this.available = available;
  }

  static override isInstance(value: unknown): value is UnknownLayerError {
    return hasErrorMarker(value, 'UnknownLayerError');
  }
}

/** A model file uses an operator or attribute this package does not translate. */
export class UnsupportedOperatorError extends NetsError {
  override readonly name = 'UnsupportedOperatorError';
  override readonly kind = 'UnsupportedOperator' as const;

  static {
    markErrorClass(UnsupportedOperatorError, 'UnsupportedOperatorError');
  }
  /** The operator type, e.g. `"LSTM"`, or a layer kind. */
  readonly operator: string;
  /** The node or layer name in the file. */
  readonly node: string;

  /** `reason` says what is not supported, the end of the message. */
  constructor(options: NetsErrorContext & { readonly operator: string; readonly node: string; readonly reason: string }) {
    const { operator, node, reason } = options;
    super({ ...options, reason: `operator ${operator} (node ${JSON.stringify(node)}): ${reason}`, detail: { operator, node, reason } });
    this.operator = operator;
    this.node = node;
  }

  static override isInstance(value: unknown): value is UnsupportedOperatorError {
    return hasErrorMarker(value, 'UnsupportedOperatorError');
  }
}

/** A tensor named by an architecture spec or a graph node is missing from the file. */
export class MissingTensorError extends NetsError {
  override readonly name = 'MissingTensorError';
  override readonly kind = 'MissingTensor' as const;

  static {
    markErrorClass(MissingTensorError, 'MissingTensorError');
  }
  /** The tensor name that was looked up. */
  readonly tensor: string;

  /** `reason` defaults to `"not found among the tensors"`. */
  constructor(options: NetsErrorContext & { readonly tensor: string; readonly reason?: string }) {
    const { tensor } = options;
    const reason = options.reason ?? 'not found among the tensors';
    super({ ...options, reason: `tensor ${JSON.stringify(tensor)}: ${reason}`, detail: { tensor, reason } });
    this.tensor = tensor;
  }

  static override isInstance(value: unknown): value is MissingTensorError {
    return hasErrorMarker(value, 'MissingTensorError');
  }
}

/** A permutation or signed permutation is malformed (wrong length, repeated index, sign not +-1). */
export class InvalidPermutationError extends NetsError {
  override readonly name = 'InvalidPermutationError';
  override readonly kind = 'InvalidPermutation' as const;

  static {
    markErrorClass(InvalidPermutationError, 'InvalidPermutationError');
  }
  /** Why it was rejected. */
  readonly reason: string;

  constructor(options: NetsErrorContext & { readonly reason: string }) {
    const { reason } = options;
    super({ ...options, reason: `invalid permutation: ${reason}`, detail: { reason } });
    this.reason = reason;
  }

  static override isInstance(value: unknown): value is InvalidPermutationError {
    return hasErrorMarker(value, 'InvalidPermutationError');
  }
}

/**
 * A signed permutation was asked for across an activation that is not odd (only identity and tanh
 * satisfy sigma(-x) = -sigma(x)), so flipping signs would change the network's function.
 */
export class NotOddActivationError extends NetsError {
  override readonly name = 'NotOddActivationError';
  override readonly kind = 'NotOddActivation' as const;

  static {
    markErrorClass(NotOddActivationError, 'NotOddActivationError');
  }
  /** The hidden layer whose units were to be flipped. */
  readonly layer: string;
  /** The offending activation. */
  readonly activation: string;

  constructor(options: NetsErrorContext & { readonly layer: string; readonly activation: string }) {
    const { layer, activation } = options;
    super({ ...options, reason: `cannot flip signs of layer ${JSON.stringify(layer)}: activation ${activation} is not odd (only identity and tanh are)`, detail: { layer, activation } });
    this.layer = layer;
    this.activation = activation;
  }

  static override isInstance(value: unknown): value is NotOddActivationError {
    return hasErrorMarker(value, 'NotOddActivationError');
  }
}

/** An optional peer package is not installed; `instructions` says how to add it. */
export class OptionalDependencyError extends NetsError {
  override readonly name = 'OptionalDependencyError';
  override readonly kind = 'OptionalDependency' as const;

  static {
    markErrorClass(OptionalDependencyError, 'OptionalDependencyError');
  }
  /** The npm package that is missing. */
  readonly dependency: string;
  /** How to add it. */
  readonly instructions: string;

  constructor(options: NetsErrorContext & { readonly dependency: string; readonly instructions: string }) {
    const { dependency, instructions } = options;
    super({ ...options, reason: `optional dependency ${dependency} is not installed. ${instructions}`, detail: { dependency, instructions } });
    this.dependency = dependency;
    this.instructions = instructions;
  }

  static override isInstance(value: unknown): value is OptionalDependencyError {
    return hasErrorMarker(value, 'OptionalDependencyError');
  }
}

/** A capture saw no samples: a Gram of zero samples is not data, so it is refused. */
export class EmptyInputError extends NetsError {
  override readonly name = 'EmptyInputError';
  override readonly kind = 'EmptyInput' as const;

  static {
    markErrorClass(EmptyInputError, 'EmptyInputError');
  }
  /** The layer whose values were to be captured. */
  readonly layer: string;

  constructor(options: NetsErrorContext & { readonly layer: string }) {
    const { layer } = options;
    super({ ...options, reason: `no samples reached layer ${JSON.stringify(layer)}: the inputs are empty`, detail: { layer } });
    this.layer = layer;
  }

  static override isInstance(value: unknown): value is EmptyInputError {
    return hasErrorMarker(value, 'EmptyInputError');
  }
}

/**
 * A layer produced a non-finite value from finite inputs (an overflow in the forward pass, e.g.
 * an input of 3e38 through a dense layer). A `NonFiniteValueError` that also names the layer and
 * the sample (row of the inputs, counted over all blocks) where it first appeared.
 */
export class NonFiniteActivationError extends NonFiniteValueError {
  override readonly name: string = 'NonFiniteActivationError';

  static {
    markErrorClass(NonFiniteActivationError, 'NonFiniteActivationError');
  }
  /** The first layer whose output held the non-finite value. */
  readonly layer: string;
  /** Index of the sample (over all blocks of the inputs, from 0) where it first appeared. */
  readonly sample: number;

  constructor(options: NetsErrorContext & { readonly layer: string; readonly sample: number; readonly value: number }) {
    const { layer, sample } = options;
    super({ ...options, location: `the output of layer ${JSON.stringify(layer)} for sample ${sample} (an overflow in the forward pass)` });
    this.layer = layer;
    this.sample = sample;
  }

  static override isInstance(value: unknown): value is NonFiniteActivationError {
    return hasErrorMarker(value, 'NonFiniteActivationError');
  }
}

/**
 * The Gram captured for a layer of an ONNX graph is not finite: the layer's output overflowed
 * float32 in the forward pass (or the Gram's sum overflowed float64). A `NonFiniteValueError`
 * that also names the layer and the samples `[firstSample, endSample)` of the block where it
 * appeared (over all blocks of the inputs, from 0).
 */
export class NonFiniteGramError extends NonFiniteValueError {
  override readonly name: string = 'NonFiniteGramError';

  static {
    markErrorClass(NonFiniteGramError, 'NonFiniteGramError');
  }
  /** The layer whose Gram held the non-finite value. */
  readonly layer: string;
  /** First sample of the block where it appeared. */
  readonly firstSample: number;
  /** One past the block's last sample. */
  readonly endSample: number;

  constructor(options: NetsErrorContext & { readonly layer: string; readonly firstSample: number; readonly endSample: number; readonly value: number }) {
    const { layer, firstSample, endSample } = options;
    super({ ...options, location: `the Gram of layer ${JSON.stringify(layer)} after samples ${firstSample} to ${endSample - 1} (an overflow in the forward pass)` });
    this.layer = layer;
    this.firstSample = firstSample;
    this.endSample = endSample;
  }

  static override isInstance(value: unknown): value is NonFiniteGramError {
    return hasErrorMarker(value, 'NonFiniteGramError');
  }
}

/** Every failure `@descramble/nets` reports, discriminated by `kind` (its alias classes carry the shared kind they extend). */
export type NetsFailure =
  | DimensionMismatchError
  | NonFiniteInputError
  | InvalidArgumentError
  | UnknownLayerError
  | UnsupportedOperatorError
  | MissingTensorError
  | InvalidPermutationError
  | NotOddActivationError
  | OptionalDependencyError
  | EmptyInputError
  | GraphMismatchError;

/** Two ONNX graphs that were to be matched do not have the same architecture (layers, shapes or channel groups). */
export class GraphMismatchError extends NetsError {
  override readonly name = 'GraphMismatchError';
  override readonly kind = 'GraphMismatch' as const;

  static {
    markErrorClass(GraphMismatchError, 'GraphMismatchError');
  }
  /** What differs, e.g. `layer "fc1": 32 units in the first graph, 48 in the second`. */
  readonly difference: string;

  constructor(options: NetsErrorContext & { readonly difference: string }) {
    const { difference } = options;
    super({ ...options, reason: `the graphs differ: ${difference}`, detail: { difference } });
    this.difference = difference;
  }

  static override isInstance(value: unknown): value is GraphMismatchError {
    return hasErrorMarker(value, 'GraphMismatchError');
  }
}
