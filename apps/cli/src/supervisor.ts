import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { CommandWorkerData, CommandWorkerMessage } from './command-worker.js';
import { InterruptedError } from './cli-errors.js';
import { errorObject, main } from './main.js';
import type { StagingEvent } from './staging-registry.js';
import { workerLaunch } from './worker-launch.js';

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/** Command lines that only print text: answered on this thread, without a worker. */
function printsOnly(argv: readonly string[]): boolean {
  const [name] = argv;
  return name === undefined || ['--help', '-h', 'help', '--version', '-v'].includes(name) || argv.includes('--help') || argv.includes('-h');
}

interface Staged {
  readonly target: string;
  committing: boolean;
}

/**
 * Removes what an interrupted worker staged. A commit that had moved an old output aside
 * (`--force`) and not yet put the new one in place gets the old one back. Returns the targets
 * that were already in place (a commit finished just before the signal).
 */
async function cleanUp(staged: ReadonlyMap<string, Staged>): Promise<string[]> {
  const completed: string[] = [];
  for (const [staging, { target, committing }] of staged) {
    const previous = `${staging}.previous`;
    const stagingLeft = existsSync(staging);
    if (stagingLeft) await rm(staging, { recursive: true, force: true });
    if (existsSync(previous)) {
      if (!existsSync(target)) await rename(previous, target);
      else if (stagingLeft) await rm(previous, { recursive: true, force: true });
      else {
        await rm(previous, { recursive: true, force: true });
        completed.push(target);
      }
    } else if (!stagingLeft && committing && existsSync(target)) completed.push(target);
  }
  return completed;
}

/**
 * Runs one command line the way the `descramble` binary does: the command in a worker thread,
 * this thread watching for SIGINT and SIGTERM. On a signal the worker is stopped at once
 * (a commit already under way, a few renames, is let finish), its staging is removed, and the
 * exit code is 130 (SIGINT) or 143 (SIGTERM). A second signal leaves immediately.
 */
export async function runCommandLine(argv: readonly string[]): Promise<number> {
  if (printsOnly(argv)) {
    return main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: new AbortController().signal });
  }
  const launch = workerLaunch('command-worker');
  const data: CommandWorkerData = { argv, cwd: process.cwd(), stdoutIsTTY: process.stdout.isTTY === true, stderrIsTTY: process.stderr.isTTY === true };
  const worker = new Worker(launch.specifier, { ...launch.options, workerData: data });
  const staged = new Map<string, Staged>();
  let settleWaiter: (() => void) | undefined;

  return new Promise<number>((resolve) => {
    let finished = false;
    let interrupted: HandledSignal | undefined;
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      resolve(code);
    };
    const track = (event: StagingEvent): void => {
      if (event.type === 'staging') staged.set(event.staging, { target: event.target, committing: false });
      else if (event.type === 'commit') {
        const entry = staged.get(event.staging);
        if (entry) entry.committing = true;
      } else {
        staged.delete(event.staging);
        if (![...staged.values()].some((entry) => entry.committing)) settleWaiter?.();
      }
    };
    worker.on('message', (message: CommandWorkerMessage) => {
      if (message.kind === 'output') (message.stream === 'stdout' ? process.stdout : process.stderr).write(message.chunk);
      else if (message.kind === 'staging') track(message.event);
      else if (interrupted === undefined) finish(message.code);
    });
    worker.on('error', (error) => {
      if (interrupted !== undefined) return;
      process.stderr.write(`descramble: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      finish(1);
    });
    worker.on('exit', (code) => {
      if (interrupted === undefined) finish(code === 0 ? 0 : 1);
    });

    const onSignal = async (signal: HandledSignal): Promise<void> => {
      const exitCode = SIGNAL_EXIT_CODES[signal];
      if (interrupted !== undefined) process.exit(exitCode);
      interrupted = signal;
      if ([...staged.values()].some((entry) => entry.committing)) {
        await new Promise<void>((done) => {
          settleWaiter = done;
          setTimeout(done, 300);
        });
      }
      await worker.terminate();
      const completed = await cleanUp(staged);
      const message =
        completed.length > 0
          ? `interrupted by ${signal} after ${completed.join(', ')} was written; nothing else was written`
          : `interrupted by ${signal}; nothing was written`;
      if (argv.includes('--json')) {
        const { error } = errorObject(new InterruptedError(message, exitCode), exitCode, message);
        process.stdout.write(`${JSON.stringify({ error: { ...(error as object), signal } }, null, 2)}\n`);
      }
      process.stderr.write(`descramble: ${message}\n`);
      finish(exitCode);
    };
    const onSigint = (): void => void onSignal('SIGINT');
    const onSigterm = (): void => void onSignal('SIGTERM');
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  });
}
