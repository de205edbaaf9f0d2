/**
 * Typed errors shared by every package of the monorepo. Every message follows one pattern:
 * `<scope>: <function>: <what was wrong>`, where `scope` names the package that rejected
 * the input (`linalg` unless the thrower says otherwise).
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, ...) are defined here once;
 * other packages construct them with their own scope (`{ scope: 'spectral' }` as the last
 * argument), so `instanceof DimensionMismatchError` holds whichever package threw it. A package's
 * own base class comes from {@link scopedErrorBase}: `instanceof SpectralError` holds for every
 * error spectral threw, shared kinds included.
 */

/** The last argument of every error constructor: which package throws. */
export interface ErrorScope {
  /** The package name that prefixes the message, e.g. `"spectral"`. Default `"linalg"`. */
  readonly scope?: string;
}

/** Base class of every typed error of the `@descramble` packages. */
export class DescrambleError extends Error {
  override readonly name: string = 'DescrambleError';
  /** The package that rejected its input or failed, e.g. `"linalg"`. */
  readonly scope: string;
  /** The public function that rejected its input or failed. */
  readonly operation: string;

  constructor(operation: string, detail: string, options: ErrorScope = {}) {
    const scope = options.scope ?? 'linalg';
    super(`${scope}: ${operation}: ${detail}`);
    this.scope = scope;
    this.operation = operation;
  }
}

/** A package's base error class, as {@link scopedErrorBase} returns it. */
export interface ScopedErrorClass {
  new (operation: string, detail: string): DescrambleError;
  readonly prototype: DescrambleError;
  /** True for every {@link DescrambleError} of this scope (subclasses test by prototype). */
  [Symbol.hasInstance](value: unknown): boolean;
}

/**
 * The base class of one package's errors: `new (scopedErrorBase('spectral', 'SpectralError'))(op, detail)`
 * reads `spectral: op: detail`, and `instanceof` the returned class holds for every
 * {@link DescrambleError} of that scope (the shared kinds that package threw, too). Subclasses
 * test `instanceof` as usual (by prototype).
 */
export function scopedErrorBase(scope: string, name: string): ScopedErrorClass {
  const base = class extends DescrambleError {
    override readonly name: string = name;

    constructor(operation: string, detail: string) {
      super(operation, detail, { scope });
    }

    static override [Symbol.hasInstance](value: unknown): boolean {
      // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about (a subclass tests by prototype).
      if (this !== base) return Function.prototype[Symbol.hasInstance].call(this, value);
      return value instanceof DescrambleError && value.scope === scope;
    }
  };
  return base;
}

/** Base class of `@descramble/linalg`'s errors: `instanceof LinalgError` holds for every error with scope `linalg`. */
export const LinalgError = scopedErrorBase('linalg', 'LinalgError');
/** An error thrown by `@descramble/linalg`. */
export type LinalgError = InstanceType<typeof LinalgError>;

/** A size or shape did not match what the operation needs (including zero dimensions). */
export class DimensionMismatchError extends DescrambleError {
  override readonly name: string = 'DimensionMismatchError';
  /** What was expected, e.g. `"square matrix"`, `"80"`, `"rows = 256"`. */
  readonly expected: string;
  /** What was received, e.g. `"3 x 4"`. */
  readonly actual: string;

  constructor(operation: string, what: string, expected: string | number, actual: string | number, options?: ErrorScope) {
    super(operation, `${what}: expected ${expected}, got ${actual}`, options);
    this.expected = String(expected);
    this.actual = String(actual);
  }
}

/** An input contained NaN or +-Infinity. */
export class NonFiniteInputError extends DescrambleError {
  override readonly name: string = 'NonFiniteInputError';
  /** Where the first non-finite value sits, e.g. `"a[3, 7]"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  constructor(operation: string, location: string, value: number, options?: ErrorScope) {
    super(operation, `non-finite value ${value} at ${location}`, options);
    this.location = location;
    this.value = value;
  }
}

/** A matrix that must be symmetric is not, beyond the tolerance. */
export class NotSymmetricError extends DescrambleError {
  override readonly name: string = 'NotSymmetricError';
  /** max |a_ij - a_ji| found. */
  readonly asymmetry: number;
  /** The tolerance it was compared against (absolute). */
  readonly tolerance: number;
  /** Where the largest asymmetry sits, e.g. `"a[2, 5]"`. */
  readonly location: string;

  constructor(operation: string, asymmetry: number, tolerance: number, location: string, options?: ErrorScope) {
    super(
      operation,
      `matrix is not symmetric: |a_ij - a_ji| = ${asymmetry} at ${location} exceeds tolerance ${tolerance}`,
      options,
    );
    this.asymmetry = asymmetry;
    this.tolerance = tolerance;
    this.location = location;
  }
}

/** An iterative algorithm did not converge within its iteration budget. */
export class ConvergenceError extends DescrambleError {
  override readonly name: string = 'ConvergenceError';
  /** Iterations performed before giving up. */
  readonly iterations: number;

  constructor(operation: string, iterations: number, detail = 'did not converge', options?: ErrorScope) {
    super(operation, `${detail} after ${iterations} iterations`, options);
    this.iterations = iterations;
  }
}

/** An argument is invalid for a reason other than shape or finiteness (e.g. an unknown kind). */
export class InvalidArgumentError extends DescrambleError {
  override readonly name: string = 'InvalidArgumentError';
  /** The argument's name. */
  readonly argument: string;

  constructor(operation: string, argument: string, detail: string, options?: ErrorScope) {
    super(operation, `${argument}: ${detail}`, options);
    this.argument = argument;
  }
}

/** A matrix that must be invertible is singular to working precision. */
export class SingularMatrixError extends DescrambleError {
  override readonly name: string = 'SingularMatrixError';
  /** Index of the pivot that vanished. */
  readonly pivot: number;

  constructor(operation: string, what: string, pivot: number, options?: ErrorScope) {
    super(operation, `${what} is singular to working precision (pivot ${pivot})`, options);
    this.pivot = pivot;
  }
}

/** Serialized bytes are not in the expected format. */
export class FormatError extends DescrambleError {
  override readonly name: string = 'FormatError';
  /** Byte offset where the problem was found. */
  readonly offset: number;

  constructor(operation: string, offset: number, detail: string, options?: ErrorScope) {
    super(operation, `${detail} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/** A Gram matrix of zero samples was asked for: there is nothing to describe. */
export class EmptyGramError extends DescrambleError {
  override readonly name: string = 'EmptyGramError';

  constructor(operation: string, options?: ErrorScope) {
    super(operation, 'no samples were accumulated (count 0), so there is no Gram matrix', options);
  }
}

/**
 * Accumulating a sample would overflow the Gram matrix: `sum_t x_ti^2` exceeds the largest
 * float64 (1.8e308) at `sample`, the 0-based index of the sample in the whole stream.
 */
export class GramOverflowError extends DescrambleError {
  override readonly name: string = 'GramOverflowError';
  /** 0-based index of the sample (row or column) at which the sum overflowed. */
  readonly sample: number;
  /** Coordinate i whose diagonal entry `G_ii` overflowed. */
  readonly coordinate: number;

  constructor(operation: string, sample: number, coordinate: number, options?: ErrorScope) {
    super(
      operation,
      `sample ${sample} makes the Gram matrix overflow float64 at entry [${coordinate}, ${coordinate}] (sum of squares above 1.8e308); rescale the data`,
      options,
    );
    this.sample = sample;
    this.coordinate = coordinate;
  }
}
