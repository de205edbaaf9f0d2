import { type GramAccumulator, createRng } from '@descramble/linalg';
import {
  isLinearLayer,
  isOddActivation,
  isotropicGram,
  type LinearLayer,
  type SequentialModel,
  shapeSize,
  type Tensor,
  type BiasMode,
} from '@descramble/nets';
import { Matrix } from 'ml-matrix';
import { InterruptedError } from './cli-errors.js';
import type { CommandContext } from './command.js';
import { ROWS_PER_BLOCK } from './gram-tasks.js';
import type { SampleSource } from './inputs.js';
import type { HiddenLayer, LoadedModel } from './models.js';
import { computeGrams } from './parallel-gram.js';

/** A layer's weights as a matrix: rows are its units (channels), columns everything else. */
export function layerMatrix(layer: LinearLayer): Matrix {
  const rows = layer.weight.shape[0] as number;
  const columns = shapeSize(layer.weight.shape.slice(1));
  const matrix = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) matrix.set(i, j, layer.weight.data[i * columns + j] as number);
  return matrix;
}

/** The Gram matrix of a hidden layer and where it came from. */
export interface LayerGram {
  readonly gram: Matrix;
  /** Samples (times positions for convolutions), or null for the isotropic assumption. */
  readonly count: number | null;
  readonly source: 'data' | 'isotropic';
}

/**
 * Each hidden layer's preactivation Gram matrix from the data (nets' capture, one pass per
 * layer, streamed; over `--threads` worker threads when more than one), or W W^T (isotropic
 * inputs, Theorem 2) when there are no data.
 */
export async function hiddenLayerGrams(
  loaded: LoadedModel,
  layers: readonly HiddenLayer[],
  samples: SampleSource | undefined,
  context: CommandContext,
  bias: BiasMode,
): Promise<Map<string, LayerGram>> {
  const grams = new Map<string, LayerGram>();
  if (samples === undefined) {
    for (const { layer } of layers) {
      if (context.signal.aborted) throw new InterruptedError();
      grams.set(layer.name, { gram: isotropicGram(layerMatrix(layer), bias === 'include' ? layer.bias?.data : undefined), count: null, source: 'isotropic' });
    }
    return grams;
  }
  const names = layers.map(({ layer }) => layer.name);
  const accumulators = await computeGrams({ kind: 'capture', model: loaded.model, layers: names, bias }, samples, { start: 0, end: samples.rows }, context, {
    pass: (_, layer) => `capturing '${layer}' preactivations`,
    parallel: `capturing the preactivations of ${names.map((n) => `'${n}'`).join(', ')}`,
  });
  names.forEach((name, index) => {
    const accumulator = accumulators[index] as GramAccumulator;
    grams.set(name, { gram: accumulator.gram(), count: accumulator.count, source: 'data' });
  });
  return grams;
}

/** Up to `maxRows` input samples for checking a reparametrised model, or seeded normal inputs. */
export async function verificationInputs(
  model: SequentialModel,
  samples: SampleSource | undefined,
  seed: number,
  maxRows = 1024,
): Promise<{ readonly rows: number; readonly data: Float64Array; readonly source: string }> {
  const size = shapeSize(model.inputShape);
  if (samples === undefined) {
    const rng = createRng(seed);
    const rows = 64;
    const data = Float64Array.from({ length: rows * size }, () => rng.normal());
    return { rows, data, source: `64 standard normal inputs (seed ${seed})` };
  }
  const rows = Math.min(maxRows, samples.rows);
  const data = new Float64Array(rows * size);
  let filled = 0;
  for await (const block of samples.blocks(ROWS_PER_BLOCK, { start: 0, end: rows })) {
    data.set(block.data, filled * size);
    filled += block.rows;
  }
  return { rows, data, source: `the first ${rows} samples of ${samples.file}` };
}

/** True when every activation between a layer and the next linear layer is odd (signs allowed). */
export function oddUpToNextLinear(model: SequentialModel, index: number): boolean {
  for (let j = index + 1; j < model.layers.length; j++) {
    const layer = model.layers[j];
    if (layer === undefined || isLinearLayer(layer)) return true;
    if (layer.kind === 'activation' && !isOddActivation(layer.activation)) return false;
  }
  return true;
}

/** A weight tensor as a matrix for a heatmap (units x everything else). */
export function tensorMatrix(tensor: Tensor): Matrix {
  return layerMatrix({ kind: 'dense', name: '', weight: tensor, bias: null });
}
