import { parseArgs } from 'node:util';
import { CliError, InterruptedError, UsageError } from './cli-errors.js';
import { COMMON_OPTIONS, type Command, type CommandContext, optionLine } from './command.js';
import { byteSize, formatSize, positiveInteger } from './options.js';
import { createProgress } from './progress.js';
import { VERSION } from './version.js';

export interface MainStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
}

/** Runs one command line; returns the exit code (0 success, 1 bad input or failure, 2 usage). */
export async function main(argv: readonly string[], streams: MainStreams): Promise<number> {
  const { stdout, stderr } = streams;
  const color = streams.env.NO_COLOR === undefined && stderr.isTTY === true;
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    stdout.write(`descramble ${VERSION}\n`);
    return 0;
  }
  // The commands (and the packages they load) only when one is needed: --version stays cheap.
  const [{ commands }, { defaultMemoryBudget, setDefaultMemoryBudget }] = await Promise.all([import('./commands/index.js'), import('@descramble/io')]);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    stdout.write(topic ? commandHelp(topic, defaultMemoryBudget()) : generalHelp(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}'; run 'descramble --help' for the list`);
    const { values, positionals } = parseCommandLine(command, rest);
    if (values.help === true) {
      stdout.write(commandHelp(command, defaultMemoryBudget()));
      return 0;
    }
    const quiet = values.quiet === true;
    const memoryBudget = byteSize(values['memory-budget'], '--memory-budget');
    // Every reader of this thread; --threads workers are told in their request.
    setDefaultMemoryBudget(memoryBudget);
    const json = values.json === true;
    const context: CommandContext = {
      stdout,
      stderr,
      json,
      quiet,
      color,
      seed: parseInteger(values.seed, '--seed', 2021),
      threads: positiveInteger(values.threads, '--threads', 1),
      memoryBudget,
      signal: streams.signal,
      cwd: streams.cwd,
      argv,
      // --json keeps stdout clean for the report; progress stays on stderr either way.
      progress: createProgress({ stream: stderr, quiet, color }),
    };
    await command.run(values, positionals, context);
    return 0;
  } catch (error) {
    return reportError(error, { stdout, stderr, json: rest.includes('--json') }, streams.signal);
  }
}

function parseCommandLine(command: Command, args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${command.name}: ${detail.replace(/\. To specify.*$/s, '')}`);
  }
}

function parseInteger(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(parsed)) {
    throw new UsageError(`${flag} expects an integer, got '${String(value)}'`);
  }
  return parsed;
}

/** The JSON error object printed on stdout under --json (a script reads it instead of a report). */
export function errorObject(error: unknown, exitCode: number, message: string): Record<string, unknown> {
  const located = error as { file?: unknown; tensor?: unknown } | undefined;
  return {
    error: {
      name: error instanceof Error ? error.name : 'Error',
      message,
      exitCode,
      ...(typeof located?.file === 'string' ? { file: located.file } : {}),
      ...(typeof located?.tensor === 'string' ? { tensor: located.tensor } : {}),
    },
  };
}

function reportError(error: unknown, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; json: boolean }, signal: AbortSignal): number {
  let reported = error;
  if (signal.aborted && !(error instanceof CliError && error.exitCode === 2)) reported = new InterruptedError();
  const exitCode = reported instanceof CliError ? reported.exitCode : 1;
  // Typed errors of the packages (LinalgError, IoError, ...) already name what was wrong.
  const message = reported instanceof Error ? reported.message : String(reported);
  out.stderr.write(`descramble: ${message}\n`);
  if (out.json) out.stdout.write(`${JSON.stringify(errorObject(reported, exitCode, message), null, 2)}\n`);
  if (exitCode === 1 && !(reported instanceof CliError) && process.env.DESCRAMBLE_DEBUG && reported instanceof Error && reported.stack) {
    out.stderr.write(`${reported.stack}\n`);
  }
  return exitCode;
}

export function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'descramble: explain trained neural networks by descrambling their weight matrices',
    '',
    'Usage: descramble <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --json (report on stdout), --quiet, --seed N, --threads N (worker threads for the',
    'Gram matrices of explain, layer, gram and permute --data), --memory-budget SIZE, --help',
    "Run 'descramble <command> --help' for a command's options and examples.",
    '',
  ].join('\n');
}

/** A command's help; `memoryBudget` is the default --memory-budget shown (io's, on this machine). */
export function commandHelp(command: Command, memoryBudget: number): string {
  return [
    `descramble ${command.name}: ${command.summary}`,
    '',
    `Usage: descramble ${command.usage}`,
    '',
    command.description,
    '',
    'Options:',
    ...command.optionHelp.map((line) => `  ${line}`),
    ...[
      ['--json', 'print the report as JSON on stdout'],
      ['--quiet, -q', 'no progress on stderr'],
      ['--seed N', 'seed for every random choice (default 2021)'],
      ['--threads N', command.threads ?? 'ignored by this command (it has no pass over data samples to split)'],
      ['--memory-budget SIZE', `most memory one file's reader may hold, e.g. 512M (default ${formatSize(memoryBudget)} here)`],
      ['--help, -h', 'this help'],
    ].map(([flag, text]) => `  ${optionLine(flag as string, text as string)}`),
    '',
    'Examples:',
    ...command.examples.map((line) => `  ${line}`),
    '',
  ].join('\n');
}
