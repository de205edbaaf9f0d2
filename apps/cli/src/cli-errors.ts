/**
 * Errors the command reports to its user. Exit codes: 2 for a usage error (the command line
 * itself is wrong), 1 for bad input or a failure while working, 130 when interrupted.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: unknown command or option, missing or conflicting arguments. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super(message, 2);
  }
}

/** An input file, tensor or value is missing or unusable; names what and where. */
export class InputError extends CliError {
  override readonly name = 'InputError';
  readonly file: string | undefined;
  readonly tensor: string | undefined;

  constructor(message: string, location: { file?: string; tensor?: string } = {}) {
    super(message, 1);
    this.file = location.file;
    this.tensor = location.tensor;
  }
}

/** Ctrl-C (SIGINT) or SIGTERM stopped the work; nothing partial is left behind. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError';

  constructor(message = 'interrupted; nothing was written', exitCode = 130) {
    super(message, exitCode);
  }
}

/** An output path cannot be written or may not be replaced; says why in words. */
export class OutputError extends CliError {
  override readonly name = 'OutputError';
  readonly file: string | undefined;

  constructor(message: string, location: { file?: string }) {
    super(message, 1);
    this.file = location.file;
  }
}
