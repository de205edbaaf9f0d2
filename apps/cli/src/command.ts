import type { ParseArgsConfig } from 'node:util';
import type { Progress } from './progress.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  seed: { type: 'string' },
  threads: { type: 'string' },
} as const satisfies OptionSpec;

export interface CommandContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly progress: Progress;
  /** Print the report as JSON on stdout (for scripts) instead of a human summary. */
  readonly json: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
  readonly seed: number;
  /** Worker threads for the Gram matrices of a pass over data samples (1: none). */
  readonly threads: number;
  /** Aborted on Ctrl-C / SIGTERM; long loops check it between blocks. */
  readonly signal: AbortSignal;
  readonly cwd: string;
  /** The command line after `descramble` (recorded in report.json). */
  readonly argv: readonly string[];
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line(s) after `descramble `. */
  readonly usage: string;
  readonly description: string;
  readonly options: OptionSpec;
  /** One line per option: `--name VALUE   what it does`. */
  readonly optionHelp: readonly string[];
  readonly examples: readonly string[];
  /** What `--threads N` does for this command (help text); absent: the command ignores it. */
  readonly threads?: string;
  run(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void>;
}
