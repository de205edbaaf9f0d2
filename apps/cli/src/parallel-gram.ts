/**
 * `--threads N`: Gram matrices accumulated over N contiguous row ranges in worker threads.
 * Each worker runs `accumulateTask` (the single-thread computation) on its rows with its own
 * GramAccumulator and posts `toBytes()` back; `GramAccumulator.merge` is exact and
 * order-independent, so the sum equals the single-thread Gram matrix to rounding (the
 * blocks are cut at other rows, ~1e-16 relative). With N = 1 (the default) no worker runs.
 */
import { Worker } from 'node:worker_threads';
import { reviveError as reviveTypedError, type SerializedError } from '@descramble/core';
import { GramAccumulator } from '@descramble/linalg';
import { CliError, InputError, InterruptedError, UsageError } from './cli-errors.js';
import type { CommandContext } from './command.js';
import { accumulateTask, type GramTask } from './gram-tasks.js';
import type { RowRange, SampleOrigin, SampleSource } from './inputs.js';
import { workerLaunch } from './worker-launch.js';

/** The samples as a worker sees them: a `.npy` to open, or its own rows copied. */
export interface WorkerSamples {
  readonly file: string;
  readonly tensor: string;
  readonly rows: number;
  readonly sampleShape: readonly number[];
  readonly origin: SampleOrigin;
}

/** The one message a worker receives. */
export interface WorkerRequest {
  readonly task: GramTask;
  /** `--memory-budget` of the run, for the worker's own readers. */
  readonly memoryBudget: number | undefined;
  readonly samples: WorkerSamples;
  readonly range: RowRange;
}

/** An error crossing the thread boundary (classes do not survive structured cloning). */
export interface SerialisedError {
  readonly name: string;
  readonly message: string;
  readonly exitCode?: number;
  readonly file?: string;
  readonly tensor?: string;
  readonly stack?: string;
  /** A package's typed error as data (name, scope, operation, detail, class markers), so it revives passing `isInstance`. */
  readonly typed?: SerializedError;
}

/** Messages a worker posts: progress of its current pass, the Gram bytes, or an error. */
export type WorkerReply =
  | { readonly type: 'progress'; readonly pass: number; readonly rows: number }
  | { readonly type: 'done'; readonly grams: Uint8Array[] }
  | { readonly type: 'error'; readonly error: SerialisedError };

/** Progress labels of a task. */
export interface GramLabels {
  /** Label of pass `index` on one thread (e.g. "capturing 'fc1' preactivations"). */
  pass(index: number, layer: string | undefined): string;
  /** Label of the whole task over several threads. */
  readonly parallel: string;
}

/** Contiguous ranges `floor(i n / N) .. floor((i + 1) n / N)` of a row range, as `--shard`. */
export function splitRange(range: RowRange, parts: number): RowRange[] {
  const rows = range.end - range.start;
  return Array.from({ length: parts }, (_, i) => ({
    start: range.start + Math.floor((i * rows) / parts),
    end: range.start + Math.floor(((i + 1) * rows) / parts),
  }));
}

/** Rebuilds a worker's error as the class the single-thread path throws (same message). */
export function reviveError(error: SerialisedError): Error {
  if (error.name === 'InputError') {
    return new InputError(error.message, {
      ...(error.file === undefined ? {} : { file: error.file }),
      ...(error.tensor === undefined ? {} : { tensor: error.tensor }),
    });
  }
  if (error.name === 'UsageError') return new UsageError(error.message);
  if (error.name === 'InterruptedError') return new InterruptedError();
  if (error.exitCode !== undefined) return new CliError(error.message, error.exitCode);
  // The packages' typed errors (IoError, NetsError, LinalgError, ...): same name, message, scope,
  // detail, and `isInstance` of every class of the original.
  if (error.typed !== undefined) return reviveTypedError(error.typed);
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}

/**
 * The Gram matrices of a task over rows `range` of the samples (one per pass): in this thread
 * when `context.threads` is 1, else split over that many worker threads and merged.
 */
export async function computeGrams(task: GramTask, samples: SampleSource, range: RowRange, context: CommandContext, labels: GramLabels): Promise<GramAccumulator[]> {
  if (context.signal.aborted) throw new InterruptedError();
  const threads = Math.min(context.threads, range.end - range.start);
  if (threads <= 1) {
    const total = range.end - range.start;
    return accumulateTask(task, samples, range, {
      beginPass: (index, layer) => context.progress.start(labels.pass(index, layer), total),
      rowsDone: (rows) => context.progress.update(rows),
      checkStop: () => {
        if (context.signal.aborted) throw new InterruptedError();
      },
      endPass: () => context.progress.finish(),
    });
  }
  return runWorkers(task, samples, splitRange(range, threads), context, labels);
}

function workerSamples(samples: SampleSource, range: RowRange): { samples: WorkerSamples; transfer: ArrayBuffer[] } {
  const base = { file: samples.file, tensor: samples.tensor, rows: samples.rows, sampleShape: samples.sampleShape };
  if (samples.origin.kind === 'npy') return { samples: { ...base, origin: samples.origin }, transfer: [] };
  // Only this worker's rows, copied (a view would clone the whole buffer).
  const data = samples.origin.data.slice(range.start * samples.columns, range.end * samples.columns);
  return { samples: { ...base, origin: { kind: 'memory', data } }, transfer: [data.buffer] };
}

async function runWorkers(task: GramTask, samples: SampleSource, ranges: RowRange[], context: CommandContext, labels: GramLabels): Promise<GramAccumulator[]> {
  const launch = workerLaunch('gram-worker');
  const passes = task.kind === 'weights' ? 1 : task.layers.length;
  const sizes = ranges.map((r) => r.end - r.start);
  const done = ranges.map(() => 0);
  context.progress.start(`${labels.parallel} (${ranges.length} threads)`, passes * sizes.reduce((a, b) => a + b, 0));
  const workers: Worker[] = [];
  const stopAll = () => {
    for (const worker of workers) void worker.terminate();
  };
  let onAbort: (() => void) | undefined;
  try {
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        stopAll();
        reject(new InterruptedError());
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
    });
    const results = ranges.map(
      (range, index) =>
        new Promise<Uint8Array[]>((resolve, reject) => {
          const worker = new Worker(launch.specifier, launch.options);
          workers.push(worker);
          let settled = false;
          worker.on('message', (reply: WorkerReply) => {
            if (reply.type === 'progress') {
              done[index] = reply.pass * (sizes[index] as number) + reply.rows;
              context.progress.update(done.reduce((a, b) => a + b, 0));
            } else if (reply.type === 'done') {
              settled = true;
              resolve(reply.grams);
              void worker.terminate();
            } else {
              settled = true;
              reject(reviveError(reply.error));
            }
          });
          worker.on('error', (error) => {
            settled = true;
            reject(error);
          });
          worker.on('exit', (code) => {
            if (!settled) reject(new Error(`gram worker ${index + 1} of ${ranges.length} stopped with exit code ${code} before finishing rows ${range.start}..${range.end}`));
          });
          const { samples: shared, transfer } = workerSamples(samples, range);
          const request: WorkerRequest = { task, samples: shared, range, memoryBudget: context.memoryBudget };
          worker.postMessage(request, transfer);
        }),
    );
    const grams = await Promise.race([Promise.all(results), aborted]);
    context.progress.finish();
    return Array.from({ length: passes }, (_, pass) => {
      const merged = GramAccumulator.fromBytes(grams[0]?.[pass] as Uint8Array);
      for (const part of grams.slice(1)) merged.merge(GramAccumulator.fromBytes(part[pass] as Uint8Array));
      return merged;
    });
  } catch (error) {
    stopAll();
    throw error;
  } finally {
    if (onAbort !== undefined) context.signal.removeEventListener('abort', onAbort);
  }
}
