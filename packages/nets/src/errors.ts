/**
 * Typed errors of `@descramble/nets`. Every message follows one pattern:
 * `nets: <function>: <what was wrong>`.
 */

/** Base class of every error thrown by this package. */
export class NetsError extends Error {
  override readonly name: string = 'NetsError';
  /** The public function that rejected its input or failed. */
  readonly operation: string;

  constructor(operation: string, detail: string) {
    super(`nets: ${operation}: ${detail}`);
    this.operation = operation;
  }
}

/** A tensor's shape did not match what a layer or function needs. */
export class ShapeMismatchError extends NetsError {
  override readonly name = 'ShapeMismatchError';
  /** What was being checked, e.g. `"input of layer fc2"`. */
  readonly what: string;
  /** What was expected, e.g. `"[N, 16]"`. */
  readonly expected: string;
  /** What was received, e.g. `"[N, 12]"`. */
  readonly actual: string;

  constructor(operation: string, what: string, expected: string, actual: string) {
    super(operation, `${what}: expected ${expected}, got ${actual}`);
    this.what = what;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An input (data, weights or a hyperparameter) held NaN or +-Infinity, or training diverged. */
export class NonFiniteValueError extends NetsError {
  override readonly name = 'NonFiniteValueError';
  /** Where the first non-finite value sits, e.g. `"weight of fc1 [3]"` or `"loss at epoch 12"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  constructor(operation: string, location: string, value: number) {
    super(operation, `non-finite value ${value} at ${location}`);
    this.location = location;
    this.value = value;
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

/** An argument is invalid for a reason other than shape or finiteness (e.g. a bad option). */
export class InvalidArgumentError extends NetsError {
  override readonly name = 'InvalidArgumentError';
  /** The argument's name. */
  readonly argument: string;

  constructor(operation: string, argument: string, detail: string) {
    super(operation, `${argument}: ${detail}`);
    this.argument = argument;
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
