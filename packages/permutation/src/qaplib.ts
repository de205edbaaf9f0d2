import { fromFloat64Array } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidArgumentError, permutationScope } from './errors.js';

/** A QAPLIB instance: minimise `sum_ij a[i, j] * b[p(i), p(j)]`. */
export interface QaplibInstance {
  readonly n: number;
  /** The first matrix of the file. */
  readonly a: Matrix;
  /** The second matrix of the file. */
  readonly b: Matrix;
}

/** A QAPLIB solution file (`.sln`). */
export interface QaplibSolution {
  readonly n: number;
  /** The objective value stated in the file. */
  readonly value: number;
  /** The permutation, converted to 0-based. */
  readonly permutation: Int32Array;
}

function numbers(operation: string, text: string): number[] {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  return tokens.map((t, k) => {
    const x = Number(t);
    if (!Number.isFinite(x)) throw new InvalidArgumentError({ operation, argument: 'text', what: `token ${k} "${t}" is not a number`, ...permutationScope });
    return x;
  });
}

/**
 * Parses a QAPLIB `.dat` file: `n`, then the n x n matrix A, then the n x n matrix B,
 * as whitespace-separated numbers (line breaks and blank lines carry no meaning).
 */
export function readQaplib(text: string): QaplibInstance {
  const operation = 'readQaplib';
  const values = numbers(operation, text);
  const n = values[0];
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError({ operation, argument: 'text', what: `first number must be a positive integer n, got ${n}`, ...permutationScope });
  }
  const needed = 1 + 2 * n * n;
  if (values.length !== needed) {
    throw new DimensionMismatchError({ operation, what: 'number count', expected: needed, actual: values.length, ...permutationScope });
  }
  const a = fromFloat64Array(values.slice(1, 1 + n * n), n, n);
  const b = fromFloat64Array(values.slice(1 + n * n), n, n);
  return { n, a, b };
}

/** Parses a QAPLIB `.sln` file: `n value`, then the 1-based permutation. */
export function readQaplibSolution(text: string): QaplibSolution {
  const operation = 'readQaplibSolution';
  const values = numbers(operation, text);
  const n = values[0];
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError({ operation, argument: 'text', what: `first number must be a positive integer n, got ${n}`, ...permutationScope });
  }
  if (values.length !== 2 + n) throw new DimensionMismatchError({ operation, what: 'number count', expected: 2 + n, actual: values.length, ...permutationScope });
  const permutation = new Int32Array(n);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = values[2 + i]! - 1;
    if (!Number.isInteger(k) || k < 0 || k >= n || seen[k]) {
      throw new InvalidArgumentError({ operation, argument: 'text', what: `entry ${i} (${k + 1}) does not make a permutation of 1..${n}`, ...permutationScope });
    }
    seen[k] = 1;
    permutation[i] = k;
  }
  return { n, value: values[1]!, permutation };
}
