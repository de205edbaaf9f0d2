/** Base class of the errors thrown by @descramble/experiments. */
export class ExperimentsError extends Error {
  override name = 'ExperimentsError';
}

/** An argument outside its domain: `operation: argument: reason`. */
export class InvalidArgumentError extends ExperimentsError {
  override name = 'InvalidArgumentError';
  constructor(
    readonly operation: string,
    readonly argument: string,
    readonly reason: string,
  ) {
    super(`${operation}: ${argument}: ${reason}`);
  }
}

/** A bundled or generated artefact is not what the code expects (e.g. a layer is missing). */
export class MalformedModelError extends ExperimentsError {
  override name = 'MalformedModelError';
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`${operation}: ${reason}`);
  }
}
