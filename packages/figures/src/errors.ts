/**
 * Typed errors of `@descramble/figures`. Every message reads `figures: <function>: <path>: <what>`,
 * where `path` locates the offending field inside the description (e.g. `panels[1].series[0].y[7]`).
 * The base and the shared kinds (`DimensionMismatchError`, `NonFiniteInputError`) are
 * `@descramble/core`'s, thrown with scope `figures` (this package must not depend on the linear
 * algebra); they are re-exported here so this package's API keeps their names.
 */

import {
  type DimensionMismatchError,
  hasErrorMarker,
  markErrorClass,
  type NonFiniteInputError,
  scopedErrorBase,
} from '@descramble/core';

export { DimensionMismatchError, NonFiniteInputError } from '@descramble/core';

/** The scope of every shared error this package throws: messages read `figures: ...`. */
export const figuresScope = { scope: 'figures' } as const;

/** Base class of this package's errors: `FiguresError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const FiguresError = scopedErrorBase('figures', 'FiguresError');
/** An error thrown by `@descramble/figures`. */
export type FiguresError = InstanceType<typeof FiguresError>;

/** A figure description (or a renderer's option) is not what the renderers accept. */
export class InvalidFigureError extends FiguresError {
  override readonly name = 'InvalidFigureError';
  override readonly kind = 'InvalidFigure' as const;

  static {
    markErrorClass(InvalidFigureError, 'InvalidFigureError');
  }

  /** Where in the figure description, e.g. `"series[0].y"`. */
  readonly path: string;
  /** What is wrong there. */
  readonly reason: string;

  constructor(options: { readonly path: string; readonly reason: string; readonly operation?: string; readonly cause?: unknown }) {
    const { path, reason, operation = 'validateFigure', cause } = options;
    super({ operation, reason: `${path}: ${reason}`, detail: { path, reason }, ...(cause === undefined ? {} : { cause }) });
    this.path = path;
    this.reason = reason;
  }

  static override isInstance(value: unknown): value is InvalidFigureError {
    return hasErrorMarker(value, 'InvalidFigureError');
  }
}

/** A canvas gave no drawing context of the kind asked for. */
export class CanvasContextError extends FiguresError {
  override readonly name = 'CanvasContextError';
  override readonly kind = 'CanvasContext' as const;

  static {
    markErrorClass(CanvasContextError, 'CanvasContextError');
  }

  /** The context asked for, e.g. `"2d"`. */
  readonly contextKind: string;

  constructor(options: { readonly contextKind: string; readonly operation?: string; readonly cause?: unknown }) {
    const { contextKind, operation = 'paintScene', cause } = options;
    super({ operation, reason: `canvas: no ${contextKind} context (getContext returned null)`, detail: { contextKind }, ...(cause === undefined ? {} : { cause }) });
    this.contextKind = contextKind;
  }

  static override isInstance(value: unknown): value is CanvasContextError {
    return hasErrorMarker(value, 'CanvasContextError');
  }
}

/** What {@link MissingDependencyError}'s constructor takes. */
export interface MissingDependencyErrorOptions {
  /** The npm package that could not be loaded, e.g. `"@resvg/resvg-js"`. */
  readonly dependency: string;
  /** What it is needed for, e.g. `"rendering figures to PNG"`. */
  readonly purpose: string;
  /** The public function that needed it. */
  readonly operation: string;
  /** The loader's error. */
  readonly cause?: unknown;
}

/** An optional peer dependency that a Node renderer needs is not installed (or does not load). */
export class MissingDependencyError extends FiguresError {
  override readonly name = 'MissingDependencyError';
  override readonly kind = 'MissingDependency' as const;
  /** The npm package that could not be loaded. */
  readonly dependency: string;

  static {
    markErrorClass(MissingDependencyError, 'MissingDependencyError');
  }

  constructor(options: MissingDependencyErrorOptions) {
    const { dependency, purpose, operation } = options;
    super({
      operation,
      reason: `${purpose} needs the optional peer dependency ${dependency}, which cannot be loaded; install it with \`npm install ${dependency}\``,
      detail: { dependency },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.dependency = dependency;
  }

  static override isInstance(value: unknown): value is MissingDependencyError {
    // io has a class of the same name (and so the same marker): require this package's scope.
    return hasErrorMarker(value, 'MissingDependencyError') && FiguresError.isInstance(value);
  }
}

/** Every failure `@descramble/figures` reports, discriminated by `kind`. */
export type FiguresFailure = InvalidFigureError | DimensionMismatchError | NonFiniteInputError | CanvasContextError | MissingDependencyError;
