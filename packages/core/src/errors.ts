/**
 * The typed errors every `@descramble` package throws. Every message follows one pattern,
 * `<scope>: <operation>: <reason>`, where `scope` names the package that rejected the input and
 * `operation` the public function (or, for a file reader, the format). What the message says in
 * words, `detail` says as data (`{ expected, actual }`, `{ location, value }`, ...), so a caller
 * never parses a message.
 *
 * `instanceof` fails when two copies of a package are installed (two classes, two prototypes),
 * so every class carries a marker `Symbol.for('@descramble/core.error.<Name>')` on its prototype
 * and a static `isInstance(value)` that tests the marker: two copies of this package, or an
 * error revived on the other side of a worker thread by {@link reviveError}, agree.
 */

/** A value `detail` may hold: what survives `structuredClone` and JSON unchanged. */
export type ErrorDetailValue = string | number | boolean | null | readonly (string | number)[];

/** The structured counterpart of an error's message. */
export type ErrorDetail = Readonly<Record<string, ErrorDetailValue>>;

/** Marker of every {@link DescrambleError}, whichever copy of this package made it. */
export const ERROR_MARKER: unique symbol = Symbol.for('@descramble/core.error');

const MARKERS: unique symbol = Symbol.for('@descramble/core.error.markers');

/** The marker of one error class, by its name: the same symbol in every copy of the package. */
export function errorMarker(name: string): symbol {
  return Symbol.for(`@descramble/core.error.${name}`);
}

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/**
 * True when `value` is an instance of the error class marked `name` (or of a subclass), from any
 * installed copy of the package that defines it: the body of every class's `static isInstance`.
 */
export function hasErrorMarker(value: unknown, name: string): boolean {
  return hasMarker(value, errorMarker(name));
}

/**
 * Marks an error class so that `Class.isInstance` recognises its instances (and its subclasses'),
 * across copies of the package; returns the test. Call once per class, in a static block:
 * `static { isDegenerate = markErrorClass(DegenerateInputError, 'DegenerateInputError'); }`, or use the returned
 * function directly as the class's `static isInstance`.
 */
export function markErrorClass(errorClass: abstract new (...args: never[]) => Error, name: string): (value: unknown) => boolean {
  const marker = errorMarker(name);
  const prototype = errorClass.prototype as Record<symbol, unknown>;
  Object.defineProperty(prototype, marker, { value: true });
  // The names of every marked class in the chain, for serialising across threads.
  const inherited = (Object.getPrototypeOf(prototype) as Record<symbol, unknown>)[MARKERS];
  Object.defineProperty(prototype, MARKERS, { value: [...((inherited as string[] | undefined) ?? []), name] });
  return (value) => hasMarker(value, marker);
}

/** What every error constructor takes: the package, the function, and optionally the cause. */
export interface ErrorContext {
  /** The package that rejected its input or failed, e.g. `"spectral"`. */
  readonly scope: string;
  /** The public function that rejected its input or failed. */
  readonly operation: string;
  /** The error that led to this one, if any. */
  readonly cause?: unknown;
}

/** The options of the base constructor: the context, the message's `reason` and its `detail`. */
export interface DescrambleErrorOptions extends ErrorContext {
  /** The `<reason>` part of the message. */
  readonly reason: string;
  /** The reason as data. */
  readonly detail?: ErrorDetail;
}

/** Base class of every typed error of the `@descramble` packages. */
export class DescrambleError extends Error {
  override readonly name: string = 'DescrambleError';
  /** The kind of failure, the discriminant of each package's failure union (e.g. `'DimensionMismatch'`). */
  readonly kind: string = 'Descramble';
  /** The package that rejected its input or failed, e.g. `"linalg"`. */
  readonly scope: string;
  /** The public function that rejected its input or failed. */
  readonly operation: string;
  /**
   * The message's `<reason>`, without the `<scope>: <operation>: ` prefix, for a caller that
   * words its own prefix (the CLI puts the file first). Not named `reason`: some subclasses'
   * `reason` field holds only part of it.
   */
  readonly summary: string;
  /** The reason as data, e.g. `{ what: 'a columns', expected: '3', actual: '4' }`. */
  readonly detail: ErrorDetail;

  static {
    markErrorClass(DescrambleError, 'DescrambleError');
    Object.defineProperty(DescrambleError.prototype, ERROR_MARKER, { value: true });
  }

  constructor(options: DescrambleErrorOptions) {
    super(`${options.scope}: ${options.operation}: ${options.reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.scope = options.scope;
    this.operation = options.operation;
    this.summary = options.reason;
    this.detail = options.detail ?? {};
  }

  /** True for every error of the `@descramble` packages, from any installed copy or thread. */
  static isInstance(value: unknown): value is DescrambleError {
    return hasMarker(value, ERROR_MARKER);
  }
}

/** The class a package's errors share, as {@link scopedErrorBase} returns it. */
export interface ScopedErrorClass<Name extends string = string> {
  new (options: Omit<ErrorContext, 'scope'> & { readonly reason: string; readonly detail?: ErrorDetail }): DescrambleError;
  readonly prototype: DescrambleError;
  /** The scope this class stands for. */
  readonly scope: string;
  /** The class name, e.g. `"SpectralError"`. */
  readonly className: Name;
  /** True for every {@link DescrambleError} of this scope: this package's own kinds and the shared kinds it threw. */
  isInstance(value: unknown): value is DescrambleError;
}

/**
 * The base class of one package's own errors: `scopedErrorBase('spectral', 'SpectralError')`.
 * Its constructor fixes the scope (`new SpectralError({ operation, reason })` reads
 * `spectral: <operation>: <reason>`), and its `isInstance` holds for every {@link DescrambleError}
 * of that scope, the shared kinds that package threw included. `instanceof` keeps its ordinary
 * meaning (by prototype).
 */
export function scopedErrorBase<Name extends string>(scope: string, className: Name): ScopedErrorClass<Name> {
  const base = class extends DescrambleError {
    override readonly name: string = className;
    static readonly scope = scope;
    static readonly className = className;

    constructor(options: Omit<ErrorContext, 'scope'> & { readonly scope?: string; readonly reason: string; readonly detail?: ErrorDetail }) {
      super({ ...options, scope });
    }

    static override isInstance(value: unknown): value is DescrambleError {
      return DescrambleError.isInstance(value) && value.scope === scope;
    }
  };
  markErrorClass(base, className);
  return base;
}

// The shared kinds. Each package throws them with its own scope, so one class holds whichever
// package threw it and the message still names that package.

/** A size or shape did not match what the operation needs (including zero dimensions). */
export class DimensionMismatchError extends DescrambleError {
  override readonly name: string = 'DimensionMismatchError';
  override readonly kind = 'DimensionMismatch' as const;
  /** What was being checked, e.g. `"a columns"`. */
  readonly what: string;
  /** What was expected, e.g. `"square matrix"`, `"80"`, `"rows = 256"`. */
  readonly expected: string;
  /** What was received, e.g. `"3 x 4"`. */
  readonly actual: string;

  static {
    markErrorClass(DimensionMismatchError, 'DimensionMismatchError');
  }

  constructor(options: ErrorContext & { readonly what: string; readonly expected: string | number; readonly actual: string | number }) {
    const { what } = options;
    const expected = String(options.expected);
    const actual = String(options.actual);
    super({ ...options, reason: `${what}: expected ${expected}, got ${actual}`, detail: { what, expected, actual } });
    this.what = what;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(value: unknown): value is DimensionMismatchError {
    return hasErrorMarker(value, 'DimensionMismatchError');
  }
}

/** An input contained NaN or +-Infinity. */
export class NonFiniteInputError extends DescrambleError {
  override readonly name: string = 'NonFiniteInputError';
  override readonly kind = 'NonFiniteInput' as const;
  /** Where the first non-finite value sits, e.g. `"a[3, 7]"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  static {
    markErrorClass(NonFiniteInputError, 'NonFiniteInputError');
  }

  constructor(options: ErrorContext & { readonly location: string; readonly value: number }) {
    const { location, value } = options;
    // `detail` holds the value as text: NaN and Infinity do not survive JSON.
    super({ ...options, reason: `non-finite value ${value} at ${location}`, detail: { location, value: String(value) } });
    this.location = location;
    this.value = value;
  }

  static override isInstance(value: unknown): value is NonFiniteInputError {
    return hasErrorMarker(value, 'NonFiniteInputError');
  }
}

/** A matrix that must be symmetric is not, beyond the tolerance. */
export class NotSymmetricError extends DescrambleError {
  override readonly name: string = 'NotSymmetricError';
  override readonly kind = 'NotSymmetric' as const;
  /** max |a_ij - a_ji| found. */
  readonly asymmetry: number;
  /** The tolerance it was compared against (absolute). */
  readonly tolerance: number;
  /** Where the largest asymmetry sits, e.g. `"a[2, 5]"`. */
  readonly location: string;

  static {
    markErrorClass(NotSymmetricError, 'NotSymmetricError');
  }

  constructor(options: ErrorContext & { readonly asymmetry: number; readonly tolerance: number; readonly location: string }) {
    const { asymmetry, tolerance, location } = options;
    super({
      ...options,
      reason: `matrix is not symmetric: |a_ij - a_ji| = ${asymmetry} at ${location} exceeds tolerance ${tolerance}`,
      detail: { asymmetry, tolerance, location },
    });
    this.asymmetry = asymmetry;
    this.tolerance = tolerance;
    this.location = location;
  }

  static override isInstance(value: unknown): value is NotSymmetricError {
    return hasErrorMarker(value, 'NotSymmetricError');
  }
}

/** An iterative algorithm did not converge within its iteration budget. */
export class ConvergenceError extends DescrambleError {
  override readonly name: string = 'ConvergenceError';
  override readonly kind = 'Convergence' as const;
  /** Iterations performed before giving up. */
  readonly iterations: number;

  static {
    markErrorClass(ConvergenceError, 'ConvergenceError');
  }

  /** `what` defaults to `"did not converge"`; the message reads `<what> after <iterations> iterations`. */
  constructor(options: ErrorContext & { readonly iterations: number; readonly what?: string }) {
    const { iterations } = options;
    const what = options.what ?? 'did not converge';
    super({ ...options, reason: `${what} after ${iterations} iterations`, detail: { what, iterations } });
    this.iterations = iterations;
  }

  static override isInstance(value: unknown): value is ConvergenceError {
    return hasErrorMarker(value, 'ConvergenceError');
  }
}

/** An argument is invalid for a reason other than shape or finiteness (e.g. an unknown kind). */
export class InvalidArgumentError extends DescrambleError {
  override readonly name: string = 'InvalidArgumentError';
  override readonly kind = 'InvalidArgument' as const;
  /** The argument's name. */
  readonly argument: string;

  static {
    markErrorClass(InvalidArgumentError, 'InvalidArgumentError');
  }

  /** The message reads `<argument>: <what>`. */
  constructor(options: ErrorContext & { readonly argument: string; readonly what: string }) {
    const { argument, what } = options;
    super({ ...options, reason: `${argument}: ${what}`, detail: { argument, what } });
    this.argument = argument;
  }

  static override isInstance(value: unknown): value is InvalidArgumentError {
    return hasErrorMarker(value, 'InvalidArgumentError');
  }
}

/** A matrix that must be invertible is singular to working precision. */
export class SingularMatrixError extends DescrambleError {
  override readonly name: string = 'SingularMatrixError';
  override readonly kind = 'SingularMatrix' as const;
  /** Index of the pivot that vanished. */
  readonly pivot: number;

  static {
    markErrorClass(SingularMatrixError, 'SingularMatrixError');
  }

  constructor(options: ErrorContext & { readonly what: string; readonly pivot: number }) {
    const { what, pivot } = options;
    super({ ...options, reason: `${what} is singular to working precision (pivot ${pivot})`, detail: { what, pivot } });
    this.pivot = pivot;
  }

  static override isInstance(value: unknown): value is SingularMatrixError {
    return hasErrorMarker(value, 'SingularMatrixError');
  }
}

/** Serialized bytes are not in the expected format. */
export class FormatError extends DescrambleError {
  override readonly name: string = 'FormatError';
  override readonly kind = 'Format' as const;
  /** Byte offset where the problem was found. */
  readonly offset: number;

  static {
    markErrorClass(FormatError, 'FormatError');
  }

  constructor(options: ErrorContext & { readonly offset: number; readonly what: string }) {
    const { offset, what } = options;
    super({ ...options, reason: `${what} (at byte ${offset})`, detail: { offset, what } });
    this.offset = offset;
  }

  static override isInstance(value: unknown): value is FormatError {
    return hasErrorMarker(value, 'FormatError');
  }
}

/** A Gram matrix of zero samples was asked for: there is nothing to describe. */
export class EmptyGramError extends DescrambleError {
  override readonly name: string = 'EmptyGramError';
  override readonly kind = 'EmptyGram' as const;

  static {
    markErrorClass(EmptyGramError, 'EmptyGramError');
  }

  constructor(options: ErrorContext) {
    super({ ...options, reason: 'no samples were accumulated (count 0), so there is no Gram matrix', detail: { count: 0 } });
  }

  static override isInstance(value: unknown): value is EmptyGramError {
    return hasErrorMarker(value, 'EmptyGramError');
  }
}

/**
 * Accumulating a sample would overflow the Gram matrix: `sum_t x_ti^2` exceeds the largest
 * float64 (1.8e308) at `sample`, the 0-based index of the sample in the whole stream.
 */
export class GramOverflowError extends DescrambleError {
  override readonly name: string = 'GramOverflowError';
  override readonly kind = 'GramOverflow' as const;
  /** 0-based index of the sample (row or column) at which the sum overflowed. */
  readonly sample: number;
  /** Coordinate i whose diagonal entry `G_ii` overflowed. */
  readonly coordinate: number;

  static {
    markErrorClass(GramOverflowError, 'GramOverflowError');
  }

  constructor(options: ErrorContext & { readonly sample: number; readonly coordinate: number }) {
    const { sample, coordinate } = options;
    super({
      ...options,
      reason: `sample ${sample} makes the Gram matrix overflow float64 at entry [${coordinate}, ${coordinate}] (sum of squares above 1.8e308); rescale the data`,
      detail: { sample, coordinate },
    });
    this.sample = sample;
    this.coordinate = coordinate;
  }

  static override isInstance(value: unknown): value is GramOverflowError {
    return hasErrorMarker(value, 'GramOverflowError');
  }
}

/** The shared kinds, as a closed union discriminated by `kind`. */
export type SharedFailure =
  | DimensionMismatchError
  | NonFiniteInputError
  | NotSymmetricError
  | ConvergenceError
  | InvalidArgumentError
  | SingularMatrixError
  | FormatError
  | EmptyGramError
  | GramOverflowError;

/**
 * A {@link DescrambleError} as plain data, for `postMessage` or JSON: the fields of the base and
 * the names of every marked class of its chain (so the revived error passes their `isInstance`).
 */
export interface SerializedError {
  readonly name: string;
  readonly kind: string;
  readonly scope: string;
  readonly operation: string;
  readonly reason: string;
  readonly message: string;
  readonly detail: ErrorDetail;
  readonly classes: readonly string[];
  readonly stack?: string;
}

/** {@link DescrambleError} as plain data (see {@link reviveError}); `undefined` for any other value. */
export function serializeError(error: unknown): SerializedError | undefined {
  if (!DescrambleError.isInstance(error)) return undefined;
  const classes = (error as unknown as Record<symbol, unknown>)[MARKERS];
  return {
    name: error.name,
    kind: error.kind,
    scope: error.scope,
    operation: error.operation,
    reason: error.summary,
    message: error.message,
    detail: { ...error.detail },
    classes: Array.isArray(classes) ? [...(classes as string[])] : ['DescrambleError'],
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}

/**
 * The error {@link serializeError} described, on this side of a thread or process boundary: a
 * {@link DescrambleError} with the same name, kind, scope, operation, message and detail, the
 * detail's fields also as fields (`revived.expected`), and every class marker of the original,
 * so `DimensionMismatchError.isInstance(revived)` holds as it did for the original.
 */
export function reviveError(data: SerializedError): DescrambleError {
  const revived = new DescrambleError({ scope: data.scope, operation: data.operation, reason: data.reason, detail: data.detail });
  for (const [key, value] of Object.entries(data.detail)) {
    if (!(key in revived)) Object.defineProperty(revived, key, { value, enumerable: true });
  }
  Object.defineProperty(revived, 'name', { value: data.name, enumerable: true });
  Object.defineProperty(revived, 'kind', { value: data.kind, enumerable: true });
  Object.defineProperty(revived, MARKERS, { value: [...data.classes] });
  for (const name of data.classes) Object.defineProperty(revived, errorMarker(name), { value: true });
  if (data.stack !== undefined) revived.stack = data.stack;
  return revived;
}
