/**
 * The worker thread in which bin.ts runs a command, so that the main thread stays free to
 * answer Ctrl-C and SIGTERM at once, however long a synchronous solver loop runs here. Output
 * travels to the main thread as messages, in order, ending with the exit code.
 */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { main } from './main.js';
import type { StagingMessage } from './staging-registry.js';

/** What the supervisor hands the worker. */
export interface CommandWorkerData {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

/** Messages a command worker posts to the supervisor. */
export type CommandWorkerMessage =
  | StagingMessage
  | { readonly kind: 'output'; readonly stream: 'stdout' | 'stderr'; readonly chunk: Uint8Array | string }
  | { readonly kind: 'exit'; readonly code: number };

function post(message: CommandWorkerMessage): void {
  parentPort?.postMessage(message);
}

function forwarded(stream: 'stdout' | 'stderr', isTTY: boolean): NodeJS.WriteStream {
  const writable = new Writable({
    write(chunk: Uint8Array | string, _encoding, callback) {
      post({ kind: 'output', stream, chunk });
      callback();
    },
  });
  return Object.assign(writable, { isTTY }) as unknown as NodeJS.WriteStream;
}

const data = workerData as CommandWorkerData;
const code = await main(data.argv, {
  stdout: forwarded('stdout', data.stdoutIsTTY),
  stderr: forwarded('stderr', data.stderrIsTTY),
  env: process.env,
  cwd: data.cwd,
  // The supervisor stops this thread outright on a signal; nothing here needs to listen.
  signal: new AbortController().signal,
});
post({ kind: 'exit', code });
