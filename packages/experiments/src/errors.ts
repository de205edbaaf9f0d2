/**
 * Typed errors of `@descramble/experiments`. Every message follows one pattern:
 * `experiments: <function>: <what was wrong>`. `InvalidArgumentError` is `@descramble/core`'s
 * shared class, thrown with {@link experimentsScope} and re-exported here so this package's API
 * keeps the name; only the errors particular to experiments are defined here.
 */

import { hasErrorMarker, type InvalidArgumentError, markErrorClass, scopedErrorBase } from '@descramble/core';

export { InvalidArgumentError } from '@descramble/core';

/** The scope of every shared error this package throws: messages read `experiments: ...`. */
export const experimentsScope = { scope: 'experiments' } as const;

/** Base class of this package's errors: `ExperimentsError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const ExperimentsError = scopedErrorBase('experiments', 'ExperimentsError');
/** An error thrown by `@descramble/experiments`. */
export type ExperimentsError = InstanceType<typeof ExperimentsError>;

/** A bundled or generated artefact is not what the code expects (e.g. a layer is missing). */
export class MalformedModelError extends ExperimentsError {
  override readonly name = 'MalformedModelError';
  override readonly kind = 'MalformedModel' as const;

  static {
    markErrorClass(MalformedModelError, 'MalformedModelError');
  }

  /** What is wrong with the artefact. */
  readonly reason: string;

  constructor(options: { readonly operation: string; readonly reason: string; readonly cause?: unknown }) {
    const { operation, reason, cause } = options;
    super({ operation, reason, detail: { reason }, ...(cause === undefined ? {} : { cause }) });
    this.reason = reason;
  }

  static override isInstance(value: unknown): value is MalformedModelError {
    return hasErrorMarker(value, 'MalformedModelError');
  }
}

/** Every failure `@descramble/experiments` reports, discriminated by `kind`. */
export type ExperimentsFailure = InvalidArgumentError | MalformedModelError;
