import { forward, type SequentialModel } from '@descramble/nets';
import type { DeerBatch, DeerDatasetSpec } from '../deer/training-set.js';

/**
 * Held-out quality of a DEERNet in units a DEER user reads. Every distribution (network output
 * and target) is first normalised to sum 1 on the distance grid, so the numbers do not depend on
 * the target's peak-height scaling.
 */
export interface DeerNetQuality {
  readonly traces: number;
  /** Half the squared error summed over outputs, averaged over traces (the training loss). */
  readonly loss: number;
  /** Mean absolute error per distance point of the raw output against the raw target (peak 0.75 units). */
  readonly meanAbsoluteError: number;
  /**
   * Mean absolute error per distance point of the distributions normalised to unit area
   * (integral over r equal to 1), in nm^-1.
   */
  readonly densityMeanAbsoluteError: number;
  /** Mean over traces of the total variation distance (half the L1 distance of sum-1 distributions), in [0, 1]. */
  readonly totalVariation: number;
  /** Mean over traces of |<r>_output - <r>_target| in nm. */
  readonly meanDistanceError: number;
  /** Root mean square over traces of <r>_output - <r>_target in nm. */
  readonly meanDistanceRmse: number;
  /** Mean absolute error per trace (for confidence intervals), raw units. */
  readonly perTraceMeanAbsoluteError: Float64Array;
}

/** Runs `model` on the batch's inputs and measures the output against its targets. */
export function deerNetQuality(model: SequentialModel, spec: DeerDatasetSpec, batch: DeerBatch): DeerNetQuality {
  const nt = spec.times.length;
  const nr = spec.distances.length;
  const output = forward(model, { shape: [batch.count, nt], data: batch.inputs }).data;
  const r = spec.distances;
  const dr = ((r[nr - 1] as number) - (r[0] as number)) / (nr - 1);
  let loss = 0;
  let mae = 0;
  let densityMae = 0;
  let tv = 0;
  let meanError = 0;
  let meanSquare = 0;
  const perTrace = new Float64Array(batch.count);
  for (let n = 0; n < batch.count; n++) {
    const offset = n * nr;
    let sumOut = 0;
    let sumTarget = 0;
    let traceMae = 0;
    for (let j = 0; j < nr; j++) {
      const o = output[offset + j] as number;
      const t = batch.targets[offset + j] as number;
      loss += 0.5 * (o - t) * (o - t);
      traceMae += Math.abs(o - t);
      sumOut += o;
      sumTarget += t;
    }
    perTrace[n] = traceMae / nr;
    mae += traceMae;
    let l1 = 0;
    let meanOut = 0;
    let meanTarget = 0;
    for (let j = 0; j < nr; j++) {
      const o = (output[offset + j] as number) / sumOut;
      const t = (batch.targets[offset + j] as number) / sumTarget;
      l1 += Math.abs(o - t);
      meanOut += o * (r[j] as number);
      meanTarget += t * (r[j] as number);
    }
    tv += 0.5 * l1;
    densityMae += l1 / (nr * dr);
    meanError += Math.abs(meanOut - meanTarget);
    meanSquare += (meanOut - meanTarget) ** 2;
  }
  const count = batch.count;
  return {
    traces: count,
    loss: loss / count,
    meanAbsoluteError: mae / (count * nr),
    densityMeanAbsoluteError: densityMae / count,
    totalVariation: tv / count,
    meanDistanceError: meanError / count,
    meanDistanceRmse: Math.sqrt(meanSquare / count),
    perTraceMeanAbsoluteError: perTrace,
  };
}
