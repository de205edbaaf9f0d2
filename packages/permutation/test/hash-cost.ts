import { Matrix } from 'ml-matrix';

/**
 * The integer formula shared with tooling/fixtures/permutation/generate.py:
 * cost[i, j] = (fmix32((seed * 2^20 + i * cols + j) * 0x9E3779B1) mod 1000003) / 1000.
 */
export function hashCost(seed: number, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let h = Math.imul((seed * 1048576 + i * cols + j) >>> 0, 0x9e3779b1) >>> 0;
      h = (h ^ (h >>> 16)) >>> 0;
      h = Math.imul(h, 0x85ebca6b) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0;
      h = Math.imul(h, 0xc2b2ae35) >>> 0;
      h = (h ^ (h >>> 16)) >>> 0;
      m.set(i, j, (h % 1000003) / 1000);
    }
  }
  return m;
}

/** Every injective map {0..k-1} -> {0..n-1}, as arrays (k <= n). */
export function* injections(k: number, n: number): Generator<number[]> {
  const used = new Uint8Array(n);
  const current: number[] = [];
  function* rec(depth: number): Generator<number[]> {
    if (depth === k) {
      yield current.slice();
      return;
    }
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      used[j] = 1;
      current.push(j);
      yield* rec(depth + 1);
      current.pop();
      used[j] = 0;
    }
  }
  yield* rec(0);
}

/** Every permutation of 0..n-1. */
export function permutationsOf(n: number): Generator<number[]> {
  return injections(n, n);
}
