/** The `descramble` command as a library: run a command line programmatically. */
export { CliError, InputError, InterruptedError, UsageError } from './cli-errors.js';
export type { Command, CommandContext } from './command.js';
export { commands } from './commands/index.js';
export { main, type MainStreams } from './main.js';
