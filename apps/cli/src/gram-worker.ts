/**
 * Worker thread of `--threads N`: accumulates a task's Gram matrices over one contiguous
 * range of the samples with `accumulateTask` (the single-thread computation) and posts the
 * accumulators back as `toBytes()`, which the main thread merges exactly.
 */
import { parentPort } from 'node:worker_threads';
import { setDefaultMemoryBudget } from '@descramble/io';
import { serializeError } from '@descramble/core';
import { CliError, InputError } from './cli-errors.js';
import { accumulateTask } from './gram-tasks.js';
import { openStreamingNpy, rangeSource, type SampleSource } from './inputs.js';
import type { WorkerReply, WorkerRequest } from './parallel-gram.js';

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer);
}

async function openSamples(request: WorkerRequest): Promise<SampleSource> {
  const { samples, range } = request;
  if (samples.origin.kind === 'npy') return openStreamingNpy(samples.file, samples.origin.tensorSamples);
  return rangeSource(samples.file, samples.tensor, samples.sampleShape, samples.rows, range.start, samples.origin.data);
}

async function run(request: WorkerRequest): Promise<void> {
  try {
    setDefaultMemoryBudget(request.memoryBudget);
    const samples = await openSamples(request);
    let pass = 0;
    const accumulators = await accumulateTask(request.task, samples, request.range, {
      beginPass(index) {
        pass = index;
      },
      rowsDone(rows) {
        post({ type: 'progress', pass, rows });
      },
      checkStop() {},
      endPass() {},
    });
    const grams = accumulators.map((accumulator) => accumulator.toBytes());
    post({ type: 'done', grams }, grams.map((bytes) => bytes.buffer as ArrayBuffer));
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    const typed = serializeError(failure);
    post({
      type: 'error',
      error: {
        name: failure.name,
        message: failure.message,
        ...(failure instanceof CliError ? { exitCode: failure.exitCode } : {}),
        ...(failure instanceof InputError && failure.file !== undefined ? { file: failure.file } : {}),
        ...(failure instanceof InputError && failure.tensor !== undefined ? { tensor: failure.tensor } : {}),
        ...(failure.stack === undefined ? {} : { stack: failure.stack }),
        ...(typed === undefined ? {} : { typed }),
      },
    });
  }
}

parentPort?.once('message', (request: WorkerRequest) => {
  void run(request);
});
