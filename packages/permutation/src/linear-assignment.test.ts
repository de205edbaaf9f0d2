import { createRng } from '@descramble/linalg';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import lapFixture from '../test/fixtures/lap-scipy.json' with { type: 'json' };
import { hashCost, injections } from '../test/hash-cost.js';
import { InfeasibleAssignmentError, NonFiniteInputError } from './errors.js';
import { solveLinearAssignment } from './linear-assignment.js';
import { linearAssignmentKernel } from './linear-assignment-kernel.js';

/** Exhaustive optimum over injective row -> column maps (rows <= cols) or column -> row maps. */
function bruteForce(cost: Matrix, maximize: boolean): number {
  const transpose = cost.rows > cost.columns;
  const c = transpose ? cost.transpose() : cost;
  const sign = maximize ? -1 : 1;
  let best = Number.POSITIVE_INFINITY;
  for (const p of injections(c.rows, c.columns)) {
    let s = 0;
    for (let i = 0; i < c.rows; i++) s += sign * c.get(i, p[i]!);
    if (s < best) best = s;
  }
  return sign * best;
}

function checkAssignment(cost: Matrix, assignment: Int32Array): number {
  expect(assignment.length).toBe(cost.rows);
  const used = new Set<number>();
  let total = 0;
  let assigned = 0;
  for (let i = 0; i < cost.rows; i++) {
    const j = assignment[i]!;
    if (j < 0) continue;
    expect(j).toBeLessThan(cost.columns);
    expect(used.has(j)).toBe(false);
    used.add(j);
    assigned++;
    total += cost.get(i, j);
  }
  expect(assigned).toBe(Math.min(cost.rows, cost.columns));
  return total;
}

const matrixArb = fc
  .record({ rows: fc.integer({ min: 1, max: 7 }), cols: fc.integer({ min: 1, max: 7 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
        minLength: rows * cols,
        maxLength: rows * cols,
      })
      .map((v) => new Matrix(Array.from({ length: rows }, (_, i) => v.slice(i * cols, (i + 1) * cols)))),
  );

describe('solveLinearAssignment', () => {
  it('equals exhaustive search on random square and rectangular instances (n <= 7)', () => {
    fc.assert(
      fc.property(matrixArb, fc.boolean(), (cost, maximize) => {
        const result = solveLinearAssignment(cost, { maximize });
        const total = checkAssignment(cost, result.assignment);
        const best = bruteForce(cost, maximize);
        const scale = 1 + cost.abs().max() * Math.min(cost.rows, cost.columns);
        // Dijkstra on reduced costs: each addition loses at most eps * scale
        expect(Math.abs(total - best)).toBeLessThanOrEqual(64 * Number.EPSILON * scale);
        expect(result.cost).toBe(total);
      }),
      { numRuns: 150 },
    );
  });

  it('equals exhaustive search at n = 8 with many ties (small integer costs)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }), (v) => {
        const cost = new Matrix(Array.from({ length: 8 }, (_, i) => v.slice(i * 8, i * 8 + 8)));
        const result = solveLinearAssignment(cost);
        expect(checkAssignment(cost, result.assignment)).toBe(bruteForce(cost, false));
      }),
      { numRuns: 15 },
    );
  });

  it('treats +Infinity (minimise) and -Infinity (maximise) as forbidden pairs', () => {
    fc.assert(
      fc.property(matrixArb, fc.boolean(), fc.integer({ min: 0, max: 1000 }), (cost, maximize, salt) => {
        const forbidden = maximize ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        // forbid a pseudo-random third of the pairs, but never a whole diagonal-ish matching
        const c = cost.clone();
        for (let i = 0; i < c.rows; i++) {
          for (let j = 0; j < c.columns; j++) if ((i * 7 + j * 13 + salt) % 3 === 0 && i !== j) c.set(i, j, forbidden);
        }
        const best = bruteForce(c, maximize);
        if (!Number.isFinite(best)) {
          expect(() => solveLinearAssignment(c, { maximize })).toThrow(InfeasibleAssignmentError);
          return;
        }
        const result = solveLinearAssignment(c, { maximize });
        const total = checkAssignment(c, result.assignment);
        const scale = 1 + cost.abs().max() * Math.min(c.rows, c.columns);
        expect(Math.abs(total - best)).toBeLessThanOrEqual(64 * Number.EPSILON * scale);
      }),
      { numRuns: 100 },
    );
  });

  it('throws a typed error when forbidden pairs leave no complete assignment', () => {
    const inf = Number.POSITIVE_INFINITY;
    const cost = new Matrix([
      [1, inf, inf],
      [2, inf, inf],
      [3, 4, 5],
    ]);
    expect(() => solveLinearAssignment(cost)).toThrow(InfeasibleAssignmentError);
    try {
      solveLinearAssignment(cost);
    } catch (error) {
      expect(error).toBeInstanceOf(InfeasibleAssignmentError);
      expect((error as InfeasibleAssignmentError).axis).toBe('row');
    }
    // rectangular, rows > cols: a column nobody may take
    const tall = new Matrix([
      [1, inf],
      [2, inf],
      [3, inf],
    ]);
    expect(() => solveLinearAssignment(tall)).toThrow(InfeasibleAssignmentError);
  });

  it('rejects NaN and the unbounded infinity with NonFiniteInputError', () => {
    const nan = new Matrix([
      [1, Number.NaN],
      [0, 1],
    ]);
    expect(() => solveLinearAssignment(nan)).toThrow(NonFiniteInputError);
    try {
      solveLinearAssignment(nan);
    } catch (error) {
      expect((error as NonFiniteInputError).location).toBe('cost[0, 1]');
    }
    const minusInf = new Matrix([
      [1, Number.NEGATIVE_INFINITY],
      [0, 1],
    ]);
    expect(() => solveLinearAssignment(minusInf)).toThrow(NonFiniteInputError);
    expect(() => solveLinearAssignment(minusInf.neg(), { maximize: true })).toThrow(NonFiniteInputError);
  });

  it('leaves rows - cols rows unassigned (-1) when rows > cols, and handles empty input', () => {
    const cost = new Matrix([[5], [1], [3]]);
    const result = solveLinearAssignment(cost);
    expect(Array.from(result.assignment)).toEqual([-1, 0, -1]);
    expect(result.cost).toBe(1);
    expect(solveLinearAssignment(new Matrix(0, 3)).assignment.length).toBe(0);
  });

  it('does not modify its input', () => {
    const cost = hashCost(9, 6, 9);
    const copy = cost.clone();
    solveLinearAssignment(cost, { maximize: true });
    expect(cost.to2DArray()).toEqual(copy.to2DArray());
  });

  it('the sparse phase (n >= 384) and the dense kernel alone reach the same optimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 384, max: 420 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom('uniform', 'ties', 'forbidden', 'structured'),
        (n, seed, kind) => {
          const rng = createRng(seed);
          const cost = new Float64Array(n * n);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              const x = rng.uniform();
              cost[i * n + j] =
                kind === 'uniform'
                  ? x
                  : kind === 'ties'
                    ? Math.floor(4 * x)
                    : kind === 'forbidden'
                      ? x < 0.5 && i !== j
                        ? Number.POSITIVE_INFINITY
                        : x
                      : (i * j) % 7 + 0.01 * x; // cheap entries concentrated in few columns
            }
          }
          const sparse = new Int32Array(n);
          const dense = new Int32Array(n);
          expect(linearAssignmentKernel(n, n, cost, sparse, 'auto')).toBe(-1);
          expect(linearAssignmentKernel(n, n, cost, dense, 'dense')).toBe(-1);
          expect(new Set(sparse).size).toBe(n);
          let a = 0;
          let b = 0;
          for (let i = 0; i < n; i++) {
            a += cost[i * n + sparse[i]!]!;
            b += cost[i * n + dense[i]!]!;
          }
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * n * (1 + Math.abs(b)));
        },
      ),
      { numRuns: 8 },
    );
  });

  it('agrees with scipy linear_sum_assignment on the committed instances (n up to 500)', () => {
    for (const c of lapFixture.cases) {
      const cost = hashCost(c.seed, c.rows, c.cols);
      // the generator formula is the same in both languages
      expect(cost.get(0, 0)).toBe(c.corner[0]);
      expect(cost.get(c.rows - 1, c.cols - 1)).toBe(c.corner[1]);
      const result = solveLinearAssignment(cost, { maximize: c.maximize });
      const total = checkAssignment(cost, result.assignment);
      // costs are multiples of 1e-3 below 1e3: sums of <= 500 terms agree to rounding
      expect(Math.abs(total - c.cost)).toBeLessThanOrEqual(1e-12 * c.rows * Math.abs(c.cost) + 1e-9);
    }
  });
});
