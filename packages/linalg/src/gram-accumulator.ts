import { assertFiniteArray, assertLength, assertPositiveSize, assertSize } from '@descramble/core';
import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, wrapRowMajor } from './convert.js';
import { DimensionMismatchError, EmptyGramError, FormatError, GramOverflowError, NonFiniteInputError, linalgScope } from './errors.js';
import { syrk } from './gemm.js';

/** Samples per plain partial sum; partials are folded into the compensated total. */
const PARTIAL_SAMPLES = 2048;

const MAGIC = 0x4d524744; // "DGRM" little-endian
const FORMAT_VERSION = 1;
const HEADER_BYTES = 24;

/**
 * Streaming Gram matrix `G = sum_t x_t x_t^T` of d-dimensional samples, exact to about
 * 1e-12 relative for 1e7 samples: each block of at most 2048 samples is summed plainly by the
 * syrk kernel, and the partial sums are folded into a Neumaier-compensated total (sum + error
 * term per entry). Shards can be merged in any order and serialised with `toBytes`.
 *
 * Overflow is refused, never folded in: a block whose partial sum would make an entry of the
 * total infinite throws `GramOverflowError` naming the first sample (its index in the whole
 * stream) at which a diagonal entry `sum_t x_ti^2` overflows, and leaves the accumulator as
 * it was (an infinite entry would otherwise turn the compensation into NaN: Inf - Inf).
 * `|G_ij| <= sqrt(G_ii G_jj)`, so the diagonal overflows first.
 */
export class GramAccumulator {
  /** Dimension d of each sample. */
  readonly dimension: number;
  private samples = 0;
  private readonly sum: Float64Array;
  private readonly compensation: Float64Array;
  private readonly partial: Float64Array;

  constructor(dimension: number) {
    assertPositiveSize(dimension, { ...linalgScope, operation: 'GramAccumulator', what: 'dimension' });
    this.dimension = dimension;
    this.sum = new Float64Array(dimension * dimension);
    this.compensation = new Float64Array(dimension * dimension);
    this.partial = new Float64Array(dimension * dimension);
  }

  /** Number of samples accumulated so far. */
  get count(): number {
    return this.samples;
  }

  /** Adds a d x b block, one sample per column. */
  addColumns(block: AbstractMatrix): this {
    if (block.rows !== this.dimension) {
      throw new DimensionMismatchError({ operation: 'GramAccumulator.addColumns', what: 'block rows', expected: this.dimension, actual: block.rows, scope: 'linalg' });
    }
    const data = readMatrix('GramAccumulator.addColumns', 'block', block, true);
    this.foldColumns(data, block.columns);
    return this;
  }

  /** Adds a b x d block, one sample per row (the PyTorch layout). */
  addRows(block: AbstractMatrix): this {
    if (block.columns !== this.dimension) {
      throw new DimensionMismatchError({ operation: 'GramAccumulator.addRows', what: 'block columns', expected: this.dimension, actual: block.columns, scope: 'linalg' });
    }
    const data = readMatrix('GramAccumulator.addRows', 'block', block, true);
    this.foldRows(data, block.rows);
    return this;
  }

  /** Adds row-major d x `columns` data, one sample per column. Not modified, not retained. */
  addColumnsFlat(data: Float64Array, columns: number): this {
    const operation = 'GramAccumulator.addColumnsFlat';
    assertSize(columns, { ...linalgScope, operation, what: 'columns' });
    assertLength(data.length, this.dimension * columns, { ...linalgScope, operation, what: 'data length', formula: `${this.dimension} * ${columns}` });
    assertFiniteArray(data, { ...linalgScope, operation, name: 'data', columns });
    this.foldColumns(data, columns);
    return this;
  }

  /** Adds row-major `rows` x d data, one sample per row. Not modified, not retained. */
  addRowsFlat(data: Float64Array, rows: number): this {
    const operation = 'GramAccumulator.addRowsFlat';
    assertSize(rows, { ...linalgScope, operation, what: 'rows' });
    assertLength(data.length, rows * this.dimension, { ...linalgScope, operation, what: 'data length', formula: `${rows} * ${this.dimension}` });
    assertFiniteArray(data, { ...linalgScope, operation, name: 'data', columns: this.dimension });
    this.foldRows(data, rows);
    return this;
  }

  /** Adds another accumulator's samples into this one (commutative, bit for bit). */
  merge(other: GramAccumulator): this {
    if (other.dimension !== this.dimension) {
      throw new DimensionMismatchError({ operation: 'GramAccumulator.merge', what: 'other dimension', expected: this.dimension, actual: other.dimension, scope: 'linalg' });
    }
    const s = this.sum;
    const c = this.compensation;
    const os = other.sum;
    const oc = other.compensation;
    for (let k = 0; k < s.length; k++) {
      const a = s[k]!;
      const b = os[k]!;
      const t = a + b;
      const err = Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a;
      s[k] = t;
      c[k] = c[k]! + oc[k]! + err;
    }
    this.samples += other.samples;
    return this;
  }

  /**
   * The accumulated Gram matrix `sum_t x_t x_t^T` (d x d, exactly symmetric).
   *
   * @throws EmptyGramError when no sample was accumulated (a zero matrix would look like data).
   */
  gram(): Matrix {
    if (this.samples === 0) throw new EmptyGramError({ operation: 'GramAccumulator.gram', scope: 'linalg' });
    const n = this.dimension * this.dimension;
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = this.sum[k]! + this.compensation[k]!;
    return wrapRowMajor(out, this.dimension, this.dimension);
  }

  /**
   * Serialises to a versioned little-endian format: magic "DGRM", uint32 version (1),
   * uint32 dimension d, uint32 reserved (0), uint64 count, then the upper triangles
   * (row-major, i <= j) of the running sums and of the compensation terms as float64.
   */
  toBytes(): Uint8Array {
    const d = this.dimension;
    const tri = (d * (d + 1)) / 2;
    const bytes = new Uint8Array(HEADER_BYTES + 16 * tri);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT_VERSION, true);
    view.setUint32(8, d, true);
    view.setUint32(12, 0, true);
    view.setBigUint64(16, BigInt(this.samples), true);
    let offset = HEADER_BYTES;
    for (const source of [this.sum, this.compensation]) {
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          view.setFloat64(offset, source[i * d + j]!, true);
          offset += 8;
        }
      }
    }
    return bytes;
  }

  /** Reads bytes written by `toBytes`. Throws `FormatError` on anything malformed. */
  static fromBytes(bytes: Uint8Array): GramAccumulator {
    const operation = 'GramAccumulator.fromBytes';
    if (bytes.length < HEADER_BYTES) throw new FormatError({ operation, offset: bytes.length, what: 'truncated header', scope: 'linalg' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new FormatError({ operation, offset: 0, what: 'bad magic (expected "DGRM")', scope: 'linalg' });
    const version = view.getUint32(4, true);
    if (version !== FORMAT_VERSION) throw new FormatError({ operation, offset: 4, what: `unsupported version ${version}`, scope: 'linalg' });
    const d = view.getUint32(8, true);
    if (d < 1) throw new FormatError({ operation, offset: 8, what: 'dimension must be positive', scope: 'linalg' });
    const count = view.getBigUint64(16, true);
    if (count > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError({ operation, offset: 16, what: 'count too large', scope: 'linalg' });
    const tri = (d * (d + 1)) / 2;
    const expected = HEADER_BYTES + 16 * tri;
    if (bytes.length !== expected) {
      throw new FormatError({ operation, offset: bytes.length, what: `length ${bytes.length} does not match ${expected} for d = ${d}`, scope: 'linalg' });
    }
    const acc = new GramAccumulator(d);
    acc.samples = Number(count);
    let offset = HEADER_BYTES;
    for (const target of [acc.sum, acc.compensation]) {
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          const x = view.getFloat64(offset, true);
          if (!Number.isFinite(x)) throw new NonFiniteInputError({ operation, location: `byte ${offset}`, value: x, scope: 'linalg' });
          target[i * d + j] = x;
          target[j * d + i] = x;
          offset += 8;
        }
      }
    }
    return acc;
  }

  private foldColumns(data: Float64Array, columns: number): void {
    const d = this.dimension;
    for (let start = 0; start < columns; start += PARTIAL_SAMPLES) {
      const b = Math.min(PARTIAL_SAMPLES, columns - start);
      syrk(false, d, b, 1, data, start, columns, 0, this.partial, 0, d);
      this.checkOverflow('GramAccumulator.addColumns', this.samples + start, (t, i) => data[i * columns + start + t]!, b);
      this.foldPartial();
    }
    this.samples += columns;
  }

  private foldRows(data: Float64Array, rows: number): void {
    const d = this.dimension;
    for (let start = 0; start < rows; start += PARTIAL_SAMPLES) {
      const b = Math.min(PARTIAL_SAMPLES, rows - start);
      syrk(true, d, b, 1, data, start * d, d, 0, this.partial, 0, d);
      this.checkOverflow('GramAccumulator.addRows', this.samples + start, (t, i) => data[(start + t) * d + i]!, b);
      this.foldPartial();
    }
    this.samples += rows;
  }

  /**
   * Throws `GramOverflowError` when folding the current partial (samples `first ..
   * first + count - 1`, entry i of sample t read by `entry(t, i)`) would make an entry of the
   * total non-finite; then replays the diagonal sample by sample to name the first culprit.
   */
  private checkOverflow(operation: string, first: number, entry: (t: number, i: number) => number, count: number): void {
    const s = this.sum;
    const c = this.compensation;
    const p = this.partial;
    let finite = true;
    for (let k = 0; k < s.length; k++) {
      const t = s[k]! + p[k]! + c[k]!;
      if (t - t !== 0) {
        finite = false;
        break;
      }
    }
    if (finite) return;
    const d = this.dimension;
    const diagonal = new Float64Array(d);
    for (let i = 0; i < d; i++) diagonal[i] = s[i * d + i]! + c[i * d + i]!;
    for (let t = 0; t < count; t++) {
      for (let i = 0; i < d; i++) {
        const x = entry(t, i);
        diagonal[i]! += x * x;
        if (diagonal[i] === Number.POSITIVE_INFINITY) throw new GramOverflowError({ operation, sample: first + t, coordinate: i, scope: 'linalg' });
      }
    }
    // Only off-diagonal entries overflowed (possible only within rounding of the bound above).
    throw new GramOverflowError({ operation, sample: first + count - 1, coordinate: 0, scope: 'linalg' });
  }

  private foldPartial(): void {
    const s = this.sum;
    const c = this.compensation;
    const p = this.partial;
    for (let k = 0; k < s.length; k++) {
      const a = s[k]!;
      const b = p[k]!;
      const t = a + b;
      c[k] = c[k]! + (Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a);
      s[k] = t;
    }
  }
}
