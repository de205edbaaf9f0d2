import { Matrix } from 'ml-matrix';
import { fresnel } from './fresnel.js';

/** Free-electron g factor (CODATA 2018). */
export const FREE_ELECTRON_G = 2.00231930436256;

/**
 * Dipolar coupling constant D = (mu0 / 4 pi) (g mu_B)^2 / hbar in rad us^-1 nm^3 for two
 * free electrons, from CODATA 2018 (mu0, mu_B, hbar as in scipy.constants); 2 pi x 52.041 MHz nm^3.
 * docs/deer.md's test value K(1 us, 3 nm) = 0.0365876721 needs these digits, not the rounded 326.9833.
 */
export const DIPOLAR_CONSTANT_FREE_ELECTRON = 326.98334705688;

/** D for two spins with g = 2.0 exactly (scales as g^2). */
export const DIPOLAR_CONSTANT_G2 = DIPOLAR_CONSTANT_FREE_ELECTRON * (2 / FREE_ELECTRON_G) ** 2;

/** Below this phase the closed form is 0/0-prone; the Taylor series is exact to ~1e-13 there. */
const SERIES_PHASE_LIMIT = 0.1;

// K(phi) = int_0^1 cos(phi (1 - 3x^2)) dx = sum_n (-1)^n phi^{2n} / (2n)! * m_{2n},
// m_k = int_0^1 (1 - 3x^2)^k dx = sum_j binom(k, j) (-3)^j / (2j + 1).
const SERIES_COEFFICIENTS = (() => {
  const coefficients: number[] = [];
  let factorial = 1;
  for (let n = 0; n < 6; n++) {
    const k = 2 * n;
    if (n > 0) factorial *= (k - 1) * k;
    let moment = 0;
    let binomial = 1;
    for (let j = 0; j <= k; j++) {
      moment += (binomial * (-3) ** j) / (2 * j + 1);
      binomial = (binomial * (k - j)) / (j + 1);
    }
    coefficients.push(((n % 2 === 0 ? 1 : -1) * moment) / factorial);
  }
  return coefficients;
})();

/**
 * The DEER dipolar kernel as a function of the dipolar phase phi = D |t| / r^3:
 * K = (C(z) cos(phi) + S(z) sin(phi)) / z with z = sqrt(6 phi / pi) and C, S the normalised
 * Fresnel integrals; K(0) = 1.
 */
export function dipolarKernelOfPhase(phi: number): number {
  const phase = Math.abs(phi);
  if (phase < SERIES_PHASE_LIMIT) {
    const phi2 = phase * phase;
    let value = 0;
    for (let n = SERIES_COEFFICIENTS.length - 1; n >= 0; n--) {
      value = value * phi2 + (SERIES_COEFFICIENTS[n] as number);
    }
    return value;
  }
  const z = Math.sqrt((6 * phase) / Math.PI);
  const { c, s } = fresnel(z);
  return (c * Math.cos(phase) + s * Math.sin(phase)) / z;
}

/** K(t, r) for time t in microseconds and distance r in nanometres. */
export function dipolarKernel(
  timeMicroseconds: number,
  distanceNanometres: number,
  dipolarConstant: number = DIPOLAR_CONSTANT_FREE_ELECTRON,
): number {
  if (!(distanceNanometres > 0)) {
    throw new RangeError(`dipolarKernel: distance must be positive, got ${distanceNanometres} nm`);
  }
  return dipolarKernelOfPhase((dipolarConstant * Math.abs(timeMicroseconds)) / distanceNanometres ** 3);
}

/** The kernel matrix K[i, j] = K(t_i, r_j) (rows: time points, columns: distances). */
export function dipolarKernelMatrix(
  times: ArrayLike<number>,
  distances: ArrayLike<number>,
  dipolarConstant: number = DIPOLAR_CONSTANT_FREE_ELECTRON,
): Matrix {
  const kernel = new Matrix(times.length, distances.length);
  for (let i = 0; i < times.length; i++) {
    for (let j = 0; j < distances.length; j++) {
      kernel.set(i, j, dipolarKernel(times[i] as number, distances[j] as number, dipolarConstant));
    }
  }
  return kernel;
}
