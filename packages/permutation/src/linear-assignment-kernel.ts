/**
 * Kernel of the linear assignment solver: shortest augmenting paths (Jonker-Volgenant
 * family, in the rectangular form of Crouse 2016 that scipy's `linear_sum_assignment`
 * uses), preceded for square problems by JV's column reduction and two passes of
 * augmenting row reduction (Jonker and Volgenant 1987), which assign most rows cheaply,
 * and for n >= 384 by augmentations on the k cheapest entries of each row with repaired
 * duals (linear-assignment-sparse.ts), which place most of the rest.
 *
 * Stdlib-style: flat `Float64Array` in, preallocated output, no validation, no
 * allocation beyond its scratch arrays. The caller guarantees `rows <= cols`, a
 * minimisation, finite entries or `+Infinity` (a forbidden pair), and no NaN.
 */

import { augmentAlongPath, sparseAugment } from './linear-assignment-sparse.js';

/** Square problems from this size on place the rows left by the reductions on a sparse graph first. */
export const SPARSE_MIN_SIZE = 384;

/**
 * Solves min sum_i cost[i, col4row[i]] over injective maps rows -> cols.
 *
 * @param rows - number of rows (<= cols)
 * @param cols - number of columns
 * @param cost - row-major `rows x cols` costs; `+Infinity` marks a forbidden pair
 * @param col4row - output: the column of each row
 * @param strategy - 'auto': square problems with n >= SPARSE_MIN_SIZE use the sparse phase; 'dense':
 *   never (used by tests to cross-check the two)
 * @param signal - checked before every augmentation (each costs at least O(cols)); aborting
 *   throws its reason
 * @returns -1 on success, otherwise the first row that cannot be assigned (infeasible)
 */
export function linearAssignmentKernel(
  rows: number,
  cols: number,
  cost: Float64Array,
  col4row: Int32Array,
  strategy: 'auto' | 'dense' = 'auto',
  signal?: AbortSignal,
): number {
  const u = new Float64Array(rows);
  const v = new Float64Array(cols);
  const shortest = new Float64Array(cols);
  const path = new Int32Array(cols);
  const row4col = new Int32Array(cols).fill(-1);
  const scannedRows = new Uint8Array(rows);
  const scannedCols = new Uint8Array(cols);
  const visitedRows = new Int32Array(rows);
  const visitedCols = new Int32Array(cols);
  col4row.fill(-1);

  if (rows === cols) {
    columnReduction(rows, cost, v, col4row, row4col);
    const free = new Int32Array(rows);
    let nFree = 0;
    for (let i = 0; i < rows; i++) if (col4row[i] === -1) free[nFree++] = i;
    for (let pass = 0; pass < 2 && nFree > 0; pass++) {
      nFree = augmentingRowReduction(rows, cost, v, col4row, row4col, free, nFree);
    }
    for (let i = 0; i < rows; i++) {
      const j = col4row[i]!;
      if (j >= 0) u[i] = cost[i * cols + j]! - v[j]!;
    }
    if (rows >= SPARSE_MIN_SIZE && strategy === 'auto' && nFree > 0) {
      sparseAugment(rows, cost, u, v, col4row, row4col, signal);
    }
  }

  for (let curRow = 0; curRow < rows; curRow++) {
    if (col4row[curRow]! >= 0) continue;
    signal?.throwIfAborted();
    // Dijkstra on reduced costs c_ij - u_i - v_j (all >= 0, zero on matched pairs).
    // Columns are swept in storage order, skipping the scanned ones: sequential access.
    shortest.fill(Number.POSITIVE_INFINITY);
    let nVisitedRows = 0;
    let nVisitedCols = 0;
    let minVal = 0;
    let i = curRow;
    let sink = -1;
    while (sink === -1) {
      let index = -1;
      let lowest = Number.POSITIVE_INFINITY;
      scannedRows[i] = 1;
      visitedRows[nVisitedRows++] = i;
      const base = i * cols;
      const h = minVal - u[i]!;
      for (let j = 0; j < cols; j++) {
        if (scannedCols[j]) continue;
        const r = h + cost[base + j]! - v[j]!;
        let sj = shortest[j]!;
        if (r < sj) {
          path[j] = i;
          shortest[j] = r;
          sj = r;
        }
        if (sj < lowest || (sj === lowest && row4col[j] === -1)) {
          lowest = sj;
          index = j;
        }
      }
      minVal = lowest;
      if (minVal === Number.POSITIVE_INFINITY) {
        for (let k = 0; k < nVisitedRows; k++) scannedRows[visitedRows[k]!] = 0;
        for (let k = 0; k < nVisitedCols; k++) scannedCols[visitedCols[k]!] = 0;
        return curRow;
      }
      const j = index;
      if (row4col[j] === -1) sink = j;
      else i = row4col[j]!;
      scannedCols[j] = 1;
      visitedCols[nVisitedCols++] = j;
    }
    // Dual update on the scanned rows and columns only.
    u[curRow] = u[curRow]! + minVal;
    for (let k = 0; k < nVisitedRows; k++) {
      const r = visitedRows[k]!;
      if (r !== curRow) u[r] = u[r]! + minVal - shortest[col4row[r]!]!;
      scannedRows[r] = 0;
    }
    for (let k = 0; k < nVisitedCols; k++) {
      const c = visitedCols[k]!;
      v[c] = v[c]! - (minVal - shortest[c]!);
      scannedCols[c] = 0;
    }
    augmentAlongPath(path, row4col, col4row, sink, curRow);
  }
  return -1;
}

/**
 * JV column reduction for a square problem: v_j = min_i c_ij, and each row that is the
 * unique first argmin of some column and still free gets that column. Keeps the duals
 * feasible (u = 0) and matched pairs tight, which is all the augmentation needs.
 */
function columnReduction(
  n: number,
  cost: Float64Array,
  v: Float64Array,
  col4row: Int32Array,
  row4col: Int32Array,
): void {
  v.fill(Number.POSITIVE_INFINITY);
  const argmin = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) {
      const c = cost[base + j]!;
      if (c < v[j]!) {
        v[j] = c;
        argmin[j] = i;
      }
    }
  }
  for (let j = n - 1; j >= 0; j--) {
    if (v[j] === Number.POSITIVE_INFINITY) {
      // An all-forbidden column: leave the dual at 0; the augmentation reports infeasibility.
      v[j] = 0;
      continue;
    }
    const i = argmin[j]!;
    if (col4row[i] === -1) {
      col4row[i] = j;
      row4col[j] = i;
    }
  }
}

/**
 * JV augmenting row reduction on the free rows: each free row takes its cheapest column
 * (reduced by v), lowering that column's price by the gap to its second cheapest, and
 * evicts the previous owner. Keeps c_ij - v_j >= min_k (c_ik - v_k) for assigned rows,
 * so u_i = c_i,x(i) - v_x(i) is dual feasible afterwards. Returns the new free count.
 */
function augmentingRowReduction(
  n: number,
  cost: Float64Array,
  v: Float64Array,
  col4row: Int32Array,
  row4col: Int32Array,
  free: Int32Array,
  nFree: number,
): number {
  let current = 0;
  let newFree = 0;
  let count = 0;
  const limit = n;
  while (current < nFree) {
    count++;
    const row = free[current++]!;
    const base = row * n;
    let j1 = 0;
    let v1 = cost[base]! - v[0]!;
    let j2 = -1;
    let v2 = Number.POSITIVE_INFINITY;
    for (let j = 1; j < n; j++) {
      const c = cost[base + j]! - v[j]!;
      if (c < v2) {
        if (c >= v1) {
          v2 = c;
          j2 = j;
        } else {
          v2 = v1;
          v1 = c;
          j2 = j1;
          j1 = j;
        }
      }
    }
    if (v1 === Number.POSITIVE_INFINITY) {
      // Every pair of this row is forbidden: leave it to the augmentation (infeasible).
      free[newFree++] = row;
      continue;
    }
    let i0 = row4col[j1]!;
    const lowered = v2 < Number.POSITIVE_INFINITY && v2 > v1;
    if (count < limit) {
      if (lowered) v[j1] = v[j1]! - (v2 - v1);
      else if (i0 >= 0 && j2 >= 0) {
        j1 = j2;
        i0 = row4col[j2]!;
      }
      if (i0 >= 0) {
        if (lowered) free[--current] = i0;
        else free[newFree++] = i0;
      }
    } else if (i0 >= 0) {
      free[newFree++] = i0;
    }
    if (i0 >= 0) col4row[i0] = -1;
    col4row[row] = j1;
    row4col[j1] = row;
  }
  return newFree;
}
