import type { Matrix } from 'ml-matrix';
import { InfeasibleAssignmentError, NonFiniteInputError, permutationScope } from './errors.js';
import { linearAssignmentKernel } from './linear-assignment-kernel.js';

/** Options of {@link solveLinearAssignment}. */
export interface LinearAssignmentOptions {
  /** Maximise the total instead of minimising it. Default `false`. */
  readonly maximize?: boolean;
  /** Checked before every augmenting path: aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** An optimal assignment and its total. */
export interface LinearAssignmentResult {
  /**
   * For `rows <= cols`: `assignment[i]` is the column of row i (length rows).
   * For `rows > cols`: `assignment[i]` is the column of row i, or -1 for the
   * `rows - cols` rows left unassigned (length rows).
   */
  readonly assignment: Int32Array;
  /** `sum_i cost[i, assignment[i]]` over assigned rows. */
  readonly cost: number;
}

/**
 * Exact linear assignment (scipy's `linear_sum_assignment`): min (or max) of
 * `sum_i cost[i, p(i)]` over injective p, for square and rectangular costs. With
 * `rows > cols` every column is used once and `rows - cols` rows stay unassigned.
 *
 * Infinities are forbidden pairs: `+Infinity` when minimising, `-Infinity` when
 * maximising. The opposite infinity (which would make the total unbounded) and NaN
 * are rejected with {@link NonFiniteInputError}; a problem whose forbidden pairs leave
 * no complete assignment throws {@link InfeasibleAssignmentError}.
 *
 * Algorithm: shortest augmenting paths with Dijkstra on reduced costs (Crouse 2016,
 * the Jonker-Volgenant family), O(rows^2 cols) worst case, on a `Float64Array` copy.
 */
export function solveLinearAssignment(
  cost: Matrix,
  options: LinearAssignmentOptions = {},
): LinearAssignmentResult {
  const operation = 'solveLinearAssignment';
  options.signal?.throwIfAborted();
  const maximize = options.maximize ?? false;
  const m = cost.rows;
  const n = cost.columns;
  if (m === 0 || n === 0) {
    return { assignment: new Int32Array(m).fill(-1), cost: 0 };
  }
  const transpose = m > n;
  const rows = transpose ? n : m;
  const cols = transpose ? m : n;
  const flat = new Float64Array(rows * cols);
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < m; i++) {
    const row = cost.getRow(i);
    for (let j = 0; j < n; j++) {
      const c = row[j]!;
      if (Number.isNaN(c) || c === -sign * Number.POSITIVE_INFINITY) {
        throw new NonFiniteInputError({ operation, location: `cost[${i}, ${j}]`, value: c, ...permutationScope });
      }
      flat[transpose ? j * cols + i : i * cols + j] = sign * c;
    }
  }
  const col4row = new Int32Array(rows);
  const failed = linearAssignmentKernel(rows, cols, flat, col4row, 'auto', options.signal);
  if (failed >= 0) throw new InfeasibleAssignmentError({ operation, axis: transpose ? 'column' : 'row', index: failed });
  const assignment = new Int32Array(m);
  if (transpose) {
    assignment.fill(-1);
    for (let j = 0; j < n; j++) assignment[col4row[j]!] = j;
  } else {
    assignment.set(col4row);
  }
  let total = 0;
  for (let i = 0; i < m; i++) {
    const j = assignment[i]!;
    if (j >= 0) total += cost.get(i, j);
  }
  return { assignment, cost: total };
}
