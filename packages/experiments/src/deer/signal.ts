import type { Matrix } from 'ml-matrix';

export interface DeerSignalParameters {
  /** Modulation depth lambda in (0, 1]. */
  readonly modulationDepth: number;
  /** Background decay rate k in s^-1. */
  readonly backgroundRate: number;
  /** Background dimension N (3 for a homogeneous 3-D distribution). */
  readonly backgroundDimension: number;
}

/**
 * The intramolecular form factor F = K p for a distance distribution p (normalised to
 * sum 1, Spinach's convention: no dr weighting, so F(0) = 1).
 */
export function formFactor(kernel: Matrix, distribution: ArrayLike<number>): Float64Array {
  if (kernel.columns !== distribution.length) {
    throw new RangeError(
      `formFactor: kernel has ${kernel.columns} distance columns but the distribution has ${distribution.length} points`,
    );
  }
  const values = new Float64Array(kernel.rows);
  for (let i = 0; i < kernel.rows; i++) {
    let sum = 0;
    for (let j = 0; j < kernel.columns; j++) sum += kernel.get(i, j) * (distribution[j] as number);
    values[i] = sum;
  }
  return values;
}

/** Background B(t) = exp(-(k t)^(N/3)), t in microseconds, k in s^-1. */
export function background(timeMicroseconds: number, rate: number, dimension: number): number {
  const kt = rate * Math.abs(timeMicroseconds) * 1e-6;
  return Math.exp(-(kt ** (dimension / 3)));
}

/** Noise-free DEER signal s(t) = [1 - lambda + lambda F(t)] B(t). */
export function deerSignal(
  times: ArrayLike<number>,
  form: ArrayLike<number>,
  parameters: DeerSignalParameters,
): Float64Array {
  const { modulationDepth, backgroundRate, backgroundDimension } = parameters;
  const signal = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) {
    signal[i] =
      (1 - modulationDepth + modulationDepth * (form[i] as number)) *
      background(times[i] as number, backgroundRate, backgroundDimension);
  }
  return signal;
}
