import { accumulateLayerGramAsync } from '@descramble/descramblers';
import { GramAccumulator, GramOverflowError } from '@descramble/linalg';
import { capture, getLayer, NetsError, type SequentialModel, type BiasMode } from '@descramble/nets';
import { Matrix } from 'ml-matrix';
import { InputError } from './cli-errors.js';
import type { RowRange, SampleBlock, SampleSource } from './inputs.js';

/** Rows per block read from the samples (and per forward pass). */
export const ROWS_PER_BLOCK = 4096;

/**
 * What to accumulate over a range of samples: the Gram matrix of `S = W x` for one weight
 * matrix (`layer --data`, `gram --weights`), or of the preactivations of named layers of a
 * model (`explain`, `permute`, `gram --model`; one pass over the rows per layer). Plain data,
 * so that it can be posted to a worker thread.
 */
export type GramTask =
  | { readonly kind: 'weights'; readonly rows: number; readonly columns: number; readonly weights: Float64Array; readonly bias: Float64Array | null }
  | { readonly kind: 'capture'; readonly model: SequentialModel; readonly layers: readonly string[]; readonly bias: BiasMode };

/** The task of one weight matrix (out x in): the Gram matrix of `S = W x`, or `W x + b` with a bias. */
export function weightsTask(weights: Matrix, bias: Float64Array | null): GramTask {
  return { kind: 'weights', rows: weights.rows, columns: weights.columns, weights: Float64Array.from(weights.to1DArray()), bias };
}

/** Callbacks of `accumulateTask`: a pass begins, rows of the pass are done, stop asked. */
export interface TaskHooks {
  /** Pass `index` (one per layer of a capture task, one for a weights task) begins. */
  beginPass(index: number, layer: string | undefined): void;
  /** `rows` rows of the current pass are done (cumulative). */
  rowsDone(rows: number): void;
  /** Called before every block; throws to stop (Ctrl-C). */
  checkStop(): void;
  /** Pass done. */
  endPass(): void;
}

/** The Gram dimensions of a task, one per pass. */
export function taskDimensions(task: GramTask): number[] {
  if (task.kind === 'weights') return [task.rows];
  return task.layers.map((name) => {
    const layer = getLayer(task.model, name);
    return 'weight' in layer ? (layer.weight.shape[0] as number) : 0;
  });
}

async function* rangeBlocks(samples: SampleSource, range: RowRange, hooks: TaskHooks): AsyncGenerator<SampleBlock> {
  let done = 0;
  for await (const block of samples.blocks(ROWS_PER_BLOCK, range)) {
    hooks.checkStop();
    yield block;
    done += block.rows;
    hooks.rowsDone(done);
  }
}

/**
 * Accumulates a task's Gram matrices over rows `range` of the samples: the one computation
 * of both the single-thread path and each worker thread (`gram-worker.ts`), so that N
 * workers on N contiguous ranges, merged, sum exactly the same preactivations.
 */
export async function accumulateTask(task: GramTask, samples: SampleSource, range: RowRange, hooks: TaskHooks): Promise<GramAccumulator[]> {
  if (task.kind === 'weights') {
    hooks.beginPass(0, undefined);
    const weights = new Matrix(task.rows, task.columns);
    for (let i = 0; i < task.rows; i++) for (let j = 0; j < task.columns; j++) weights.set(i, j, task.weights[i * task.columns + j] as number);
    async function* rows(): AsyncGenerator<Float64Array> {
      for await (const block of rangeBlocks(samples, range, hooks)) yield block.data;
    }
    let accumulator: GramAccumulator;
    try {
      accumulator = await accumulateLayerGramAsync(weights, rows(), task.bias === null ? {} : { bias: task.bias });
    } catch (error) {
      // The accumulator counts samples from the start of this range: report the file's row.
      if (GramOverflowError.isInstance(error)) {
        throw new InputError(`${samples.file}: row ${range.start + error.sample} of data '${samples.tensor}' makes the Gram matrix overflow float64 (a sum of squares above 1.8e308); rescale the data`, {
          file: samples.file,
          tensor: samples.tensor,
        });
      }
      throw error;
    }
    hooks.endPass();
    return [accumulator];
  }
  const dimensions = taskDimensions(task);
  const accumulators: GramAccumulator[] = [];
  for (const [index, layer] of task.layers.entries()) {
    hooks.beginPass(index, layer);
    try {
      const result = await capture(task.model, rangeBlocks(samples, range, hooks), layer, {
        at: 'preactivation',
        bias: task.bias,
        gram: new GramAccumulator(dimensions[index] as number),
      });
      accumulators.push(result.accumulator as GramAccumulator);
    } catch (error) {
      if (NetsError.isInstance(error)) throw new InputError(`${samples.file}: ${error.operation}: ${error.summary}`, { file: samples.file });
      throw error;
    }
    hooks.endPass();
  }
  return accumulators;
}
