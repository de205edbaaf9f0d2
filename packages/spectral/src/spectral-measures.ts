/**
 * Numbers read off a centred spectrum (a `WeightSpectrum`, or a centred magnitude `Matrix`
 * whose labels are then `centredFrequencies` of each size). "Energy" is the squared
 * magnitude: the energy of a set of entries is `sum |S_ij|^2`.
 *
 * Axes: `axis = 0` means frequencies along the row index (the hidden/output axis of a
 * weight matrix; the energy at frequency k is the sum over row k); `axis = 1` means
 * frequencies along the column index (the input axis; sum over column k).
 */
import { assertPositiveInteger } from '@descramble/core';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { DegenerateInputError, InvalidArgumentError, spectralScope } from './errors.js';
import { readMatrix } from './matrix-data.js';
import { centredFrequencies } from './shift.js';
import type { WeightSpectrum } from './weight-spectrum.js';

/** 0 = row-index (hidden/output) frequencies, 1 = column-index (input) frequencies. */
export type SpectrumAxis = 0 | 1;

/** A spectrum with labels, or a centred magnitude matrix (labels = `centredFrequencies`). */
export type SpectrumInput = WeightSpectrum | AbstractMatrix;

/** A frequency band: `K` means `|k| <= K`; `{ from, to }` means `from <= k <= to` (inclusive, signed). */
export type FrequencyBand = number | { readonly from: number; readonly to: number };

interface AxisEnergy {
  /** Energy at each frequency of the axis, in the order of `frequencies`. */
  readonly energy: Float64Array;
  readonly frequencies: readonly number[];
  readonly total: number;
}

function checkAxis(operation: string, axis: number): void {
  if (axis !== 0 && axis !== 1) throw new InvalidArgumentError({ operation, argument: 'axis', what: `expected 0 or 1, got ${String(axis)}`, ...spectralScope });
}

/** Validates a spectrum and sums its energy along the chosen axis. */
function axisEnergy(operation: string, spectrum: SpectrumInput, axis: SpectrumAxis): AxisEnergy {
  checkAxis(operation, axis);
  const labelled = !Matrix.isMatrix(spectrum) && 'magnitude' in spectrum;
  const m = labelled ? (spectrum as WeightSpectrum).magnitude : (spectrum as AbstractMatrix);
  const data = readMatrix(operation, 'spectrum', m);
  const rows = m.rows;
  const columns = m.columns;
  const rowFrequencies = labelled ? (spectrum as WeightSpectrum).rowFrequencies : centredFrequencies(rows);
  const columnFrequencies = labelled ? (spectrum as WeightSpectrum).columnFrequencies : centredFrequencies(columns);
  const frequencies = axis === 0 ? rowFrequencies : columnFrequencies;
  const length = axis === 0 ? rows : columns;
  if (frequencies.length !== length) {
    throw new InvalidArgumentError({ operation, argument: 'spectrum', what: `has ${frequencies.length} frequency labels for ${length} entries along axis ${axis}`, ...spectralScope });
  }
  const energy = new Float64Array(length);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const x = data[i * columns + j]!;
      const e = x * x;
      energy[axis === 0 ? i : j]! += e;
      total += e;
    }
  }
  return { energy, frequencies, total };
}

/**
 * The one sign convention of `notchDepth`, stated in every result: a deeper notch is a larger
 * positive number of decibels.
 */
export const NOTCH_DEPTH_CONVENTION =
  'depthDb = 10 log10(mean neighbour energy / zero-frequency energy): positive when the zero-frequency line is weaker than its neighbours by that many dB (a notch; deeper is larger), negative when it is stronger (no notch), Infinity when it is exactly empty';

/** Evidence for a notch: energies compared and the depth in decibels. */
export interface NotchDepth {
  /**
   * `10 log10(neighbourEnergy / zeroEnergy)`: positive when the zero-frequency line is weaker
   * than its neighbours by that many dB (a notch; a deeper notch is a larger number), negative
   * when it is stronger (no notch), `Infinity` when the zero line is exactly empty.
   */
  readonly depthDb: number;
  /** `depthDb > 0`: the zero-frequency line is weaker than its neighbours. */
  readonly isNotch: boolean;
  /** {@link NOTCH_DEPTH_CONVENTION}, so a report can say what the sign means. */
  readonly convention: string;
  /** Energy of the line at frequency 0 (the zero-frequency column for axis 1). */
  readonly zeroEnergy: number;
  /** Mean energy per line of the neighbouring lines `1 <= |k| <= neighbours` that exist. */
  readonly neighbourEnergy: number;
  /** The frequencies averaged for `neighbourEnergy`. */
  readonly neighbourFrequencies: readonly number[];
}

export interface NotchDepthOptions {
  /** How many lines on each side of frequency 0 form the reference band (default 2). */
  readonly neighbours?: number;
  /** Axis along which the notch sits (default 1: zero input frequency, i.e. the centre column). */
  readonly axis?: SpectrumAxis;
}

/**
 * Depth of the notch at zero frequency, in dB: the mean energy of the `neighbours` lines on
 * each side of frequency 0 (frequencies ±1..±neighbours that exist) over the energy of the
 * frequency-0 line. Along the input axis (default) a "line" is a column of the spectrum.
 * A depth of 20 dB means the zero-frequency column carries 1/100 of the energy of a
 * typical neighbouring column (1/10 of its magnitude); -20 dB means 100 times the energy
 * (a peak, not a notch). The sign convention travels in the result (`convention`).
 */
export function notchDepth(spectrum: SpectrumInput, options: NotchDepthOptions = {}): NotchDepth {
  const axis = options.axis ?? 1;
  const neighbours = options.neighbours ?? 2;
  assertPositiveInteger(neighbours, { ...spectralScope, operation: 'notchDepth', argument: 'neighbours' });
  const { energy, frequencies } = axisEnergy('notchDepth', spectrum, axis);
  const zeroIndex = frequencies.indexOf(0);
  if (zeroIndex < 0) throw new InvalidArgumentError({ operation: 'notchDepth', argument: 'spectrum', what: 'has no frequency 0 along the axis', ...spectralScope });
  const neighbourFrequencies: number[] = [];
  let sum = 0;
  for (let i = 0; i < frequencies.length; i++) {
    const k = frequencies[i]!;
    if (k !== 0 && Math.abs(k) <= neighbours) {
      neighbourFrequencies.push(k);
      sum += energy[i]!;
    }
  }
  if (neighbourFrequencies.length === 0) {
    throw new DegenerateInputError({ operation: 'notchDepth', reason: 'the axis has no frequency other than 0' });
  }
  neighbourFrequencies.sort((a, b) => a - b);
  const neighbourEnergy = sum / neighbourFrequencies.length;
  const zeroEnergy = energy[zeroIndex]!;
  if (neighbourEnergy === 0) {
    throw new DegenerateInputError({ operation: 'notchDepth', reason: 'the neighbouring band has zero energy; the depth is undefined' });
  }
  const depthDb = zeroEnergy === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(neighbourEnergy / zeroEnergy);
  return { depthDb, isNotch: depthDb > 0, convention: NOTCH_DEPTH_CONVENTION, zeroEnergy, neighbourEnergy, neighbourFrequencies };
}

function inBand(operation: string, band: FrequencyBand): (k: number) => boolean {
  if (typeof band === 'number') {
    if (!(band >= 0) || !Number.isFinite(band)) {
      throw new InvalidArgumentError({ operation, argument: 'band', what: `expected a finite half-width >= 0, got ${band}`, ...spectralScope });
    }
    return (k) => Math.abs(k) <= band;
  }
  if (typeof band !== 'object' || band === null || !Number.isFinite(band.from) || !Number.isFinite(band.to) || band.from > band.to) {
    throw new InvalidArgumentError({ operation, argument: 'band', what: 'expected a number K or { from, to } with finite from <= to', ...spectralScope });
  }
  return (k) => k >= band.from && k <= band.to;
}

/** Fraction of the spectrum's total energy at frequencies inside `band` along `axis` (in [0, 1]). */
export function bandEnergyFraction(spectrum: SpectrumInput, axis: SpectrumAxis, band: FrequencyBand): number {
  const inside = inBand('bandEnergyFraction', band);
  const { energy, frequencies, total } = axisEnergy('bandEnergyFraction', spectrum, axis);
  if (total === 0) throw new DegenerateInputError({ operation: 'bandEnergyFraction', reason: 'total energy is zero' });
  let sum = 0;
  for (let i = 0; i < frequencies.length; i++) if (inside(frequencies[i]!)) sum += energy[i]!;
  return Math.min(1, sum / total);
}

/** The smallest symmetric band holding a requested share of the energy. */
export interface BandEdges {
  /** Smallest K such that frequencies `|k| <= K` along the axis hold at least the requested fraction. */
  readonly halfWidth: number;
  /** The fraction actually held by `|k| <= halfWidth` (>= the requested one, up to rounding). */
  readonly fraction: number;
  /** The fraction held by `|k| <= halfWidth - 1` (below the requested one); 0 when halfWidth = 0. */
  readonly fractionBelow: number;
}

/**
 * The smallest symmetric band `|k| <= K` along `axis` holding at least `fraction` of the
 * total energy (compared with a relative slack of 1e-12 so that `fraction = 1` is reachable
 * despite rounding).
 */
export function bandEdges(spectrum: SpectrumInput, axis: SpectrumAxis, fraction: number): BandEdges {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InvalidArgumentError({ operation: 'bandEdges', argument: 'fraction', what: `expected a number in (0, 1], got ${fraction}`, ...spectralScope });
  }
  const { energy, frequencies, total } = axisEnergy('bandEdges', spectrum, axis);
  if (total === 0) throw new DegenerateInputError({ operation: 'bandEdges', reason: 'total energy is zero' });
  let maxAbs = 0;
  for (const k of frequencies) maxAbs = Math.max(maxAbs, Math.abs(k));
  const byAbs = new Float64Array(maxAbs + 1);
  for (let i = 0; i < frequencies.length; i++) byAbs[Math.abs(frequencies[i]!)]! += energy[i]!;
  const target = fraction * total * (1 - 1e-12);
  let cumulative = 0;
  for (let k = 0; k <= maxAbs; k++) {
    const before = cumulative;
    cumulative += byAbs[k]!;
    if (cumulative >= target || k === maxAbs) {
      return { halfWidth: k, fraction: Math.min(1, cumulative / total), fractionBelow: before / total };
    }
  }
  /* c8 ignore next */
  throw new DegenerateInputError({ operation: 'bandEdges', reason: 'unreachable' });
}
