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
  'memory-budget': { type: 'string' },
} as const satisfies OptionSpec;

/** Column where the text of an option's help line starts (after `--name VALUE`). */
export const HELP_COLUMN = 27;

/** One help line: the flag padded to {@link HELP_COLUMN}, then what it does. */
export function optionLine(flag: string, text: string): string {
  return `${flag.padEnd(HELP_COLUMN)}${text}`;
}

/**
 * `--out`/-o and `--force`/-f: where a command writes its result (an output directory, or for
 * `gram` and `merge-gram` one file) and whether it may replace one that exists.
 */
export const OUTPUT_PATH_OPTIONS = {
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean', short: 'f' },
} as const satisfies OptionSpec;

/** {@link OUTPUT_PATH_OPTIONS} and `--no-figures`, for commands that render PNG figures and an HTML report. */
export const OUTPUT_OPTIONS = {
  ...OUTPUT_PATH_OPTIONS,
  'no-figures': { type: 'boolean' },
} as const satisfies OptionSpec;

/** Help lines of `--out DIR` and `--force`; `defaultPath` e.g. `./descramble-out/<model>`. */
export function outputDirectoryHelp(defaultPath: string): string[] {
  return [optionLine('--out DIR, -o DIR', `output directory (default ${defaultPath})`), optionLine('--force, -f', 'replace an existing output directory')];
}

/** Help lines of {@link OUTPUT_OPTIONS}: {@link outputDirectoryHelp} and `--no-figures`. */
export function outputHelp(defaultPath: string): string[] {
  return [...outputDirectoryHelp(defaultPath), optionLine('--no-figures', 'skip PNG figures and the HTML report')];
}

/** Help lines of `--out FILE` and `--force` for a command writing one file; `what` describes the file. */
export function outputFileHelp(what: string): string[] {
  return [optionLine('--out FILE, -o FILE', what), optionLine('--force, -f', 'replace an existing output file')];
}

/** Help line of `--architecture FILE`. */
export const ARCHITECTURE_HELP = optionLine('--architecture FILE', 'architecture spec JSON for weights without one');

/** `--data` (the model's inputs, one sample per row) and `--architecture` of a command reading a MODEL. */
export const MODEL_INPUT_OPTIONS = {
  data: { type: 'string' },
  architecture: { type: 'string' },
} as const satisfies OptionSpec;

/** Help lines of {@link MODEL_INPUT_OPTIONS}. */
export const MODEL_INPUT_HELP: readonly string[] = [
  optionLine('--data FILE[:TENSOR]', 'inputs of the model, one sample per row (.npy is streamed)'),
  ARCHITECTURE_HELP,
];

/** The smoothness operators `--operator` accepts (the first is the default). */
export const OPERATORS = ['fourier', 'periodic', 'dirichlet'] as const;

/** `--operator NAME`: the smoothness operator D of A = D^T D, one of {@link OPERATORS}. */
export const OPERATOR_OPTIONS = {
  operator: { type: 'string' },
} as const satisfies OptionSpec;

/** Help line of `--operator`. */
export const OPERATOR_HELP = optionLine('--operator NAME', 'fourier (default) | periodic | dirichlet');

/** `--rescale`: the 2021 rescaling of A and B in the descrambler objective. */
export const RESCALE_OPTIONS = {
  rescale: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Help line of `--rescale`. */
export const RESCALE_HELP = optionLine('--rescale', 'the 2021 rescaling of A and B (changes the value, never P)');

/** How to read the numbers the descrambling commands print (appended to their descriptions). */
export const NUMBERS_HELP = [
  'Reading the numbers: gap = (value - optimum) / max(|optimum|, roundoff), never negative; it is',
  '"0 (optimal within roundoff)" when value and optimum differ by less than the roundoff bound of',
  'the value. The notch at zero input frequency is in dB, positive when that column of the centred',
  'spectrum is weaker than its neighbours (a deeper notch is a larger number). Eigenvalues closer',
  'than their uncertainty (roundoff, plus the N^-1/2 sampling noise of N samples) are tied; the family',
  'dimension counts the directions in which the data cannot tell descramblers apart.',
].join('\n');

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
  /** `--memory-budget`: bytes any one file's reader may hold at once (io's default when absent). */
  readonly memoryBudget: number | undefined;
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
