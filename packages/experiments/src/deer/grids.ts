import { DIPOLAR_CONSTANT_FREE_ELECTRON } from './dipolar-kernel.js';

/** Equispaced points from `start` to `end` inclusive (MATLAB/numpy linspace). */
export function linspace(start: number, end: number, count: number): Float64Array {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`linspace: count must be a positive integer, got ${count}`);
  }
  const points = new Float64Array(count);
  if (count === 1) {
    points[0] = start;
    return points;
  }
  const step = (end - start) / (count - 1);
  for (let i = 0; i < count; i++) points[i] = start + i * step;
  points[count - 1] = end;
  return points;
}

export interface DistanceRange {
  /** Shortest distance (nm) resolved by the time step: omega_dd(r_min) dt = pi / 2. */
  readonly rMin: number;
  /** Longest distance (nm) with half a dipolar period in the trace: omega_dd(r_max) t_max = pi. */
  readonly rMax: number;
}

/**
 * The distance range a DEER trace can resolve (Spinach's dist_range rule), for a time grid
 * from 0 to `maxTime` microseconds with `timePoints` points; omega_dd(r) = D / r^3.
 */
export function distanceRange(
  maxTime: number,
  timePoints: number,
  dipolarConstant: number = DIPOLAR_CONSTANT_FREE_ELECTRON,
): DistanceRange {
  if (!(maxTime > 0) || !Number.isInteger(timePoints) || timePoints < 2) {
    throw new RangeError(
      `distanceRange: need maxTime > 0 and at least 2 time points, got ${maxTime} us, ${timePoints}`,
    );
  }
  const timeStep = maxTime / (timePoints - 1);
  return {
    rMin: Math.cbrt((2 * dipolarConstant * timeStep) / Math.PI),
    rMax: Math.cbrt((dipolarConstant * maxTime) / Math.PI),
  };
}
