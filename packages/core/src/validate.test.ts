import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError, NotSymmetricError } from './errors.js';
import {
  assertFiniteArray,
  assertFiniteMatrix,
  assertIntegerAtLeast,
  assertLength,
  assertMatrix,
  assertNonEmpty,
  assertNonNegativeInteger,
  assertPositiveInteger,
  assertPositiveSize,
  assertShape,
  assertSize,
  assertSquare,
  assertSquareMatrix,
  assertSymmetric,
  assertUnitInterval,
} from './validate.js';

const at = { scope: 'demo', operation: 'solve' } as const;

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const anyDouble = fc.double();
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);

describe('assertFiniteArray', () => {
  it('accepts exactly the arrays without NaN or infinity', () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { maxLength: 30 }), (values) => {
        const error = thrown(() => assertFiniteArray(values, { ...at, name: 'x' }));
        const first = values.findIndex((v) => !Number.isFinite(v));
        if (first < 0) return error === undefined;
        return NonFiniteInputError.isInstance(error) && error.location === `x[${first}]` && Object.is(error.value, values[first]);
      }),
    );
  });

  it('locates row-major entries as [i, j] and names the scope and operation', () => {
    const error = thrown(() => assertFiniteArray(Float64Array.of(1, 2, 3, 4, Number.NaN, 6), { ...at, name: 'a', columns: 3 }));
    expect(NonFiniteInputError.isInstance(error)).toBe(true);
    expect((error as NonFiniteInputError).message).toBe('demo: solve: non-finite value NaN at a[1, 1]');
  });

  it('never modifies its input', () => {
    const values = [1, Number.POSITIVE_INFINITY];
    thrown(() => assertFiniteArray(values, { ...at, name: 'x' }));
    expect(values).toEqual([1, Number.POSITIVE_INFINITY]);
  });
});

describe('assertFiniteMatrix', () => {
  it('rejects the first non-finite entry in row order and accepts finite matrices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.nat(), nonFinite, fc.boolean(), (rows, columns, seed, bad, poison) => {
        const k = seed % (rows * columns);
        const data = Array.from({ length: rows * columns }, (_, m) => (poison && m === k ? bad : m - 3.5));
        const matrix = { rows, columns, get: (i: number, j: number) => data[i * columns + j]! };
        const error = thrown(() => assertFiniteMatrix(matrix, { ...at, name: 'w' }));
        if (!poison) return error === undefined;
        return NonFiniteInputError.isInstance(error) && error.location === `w[${Math.floor(k / columns)}, ${k % columns}]`;
      }),
    );
  });
});

describe('compound matrix checks', () => {
  const matrix = (rows: number, columns: number, data: readonly number[]) => ({ rows, columns, get: (i: number, j: number) => data[i * columns + j]! });

  it('assertMatrix rejects empty shapes unless allowed, then non-finite entries', () => {
    expect(DimensionMismatchError.isInstance(thrown(() => assertMatrix(matrix(0, 3, []), { ...at, name: 'a' })))).toBe(true);
    expect(thrown(() => assertMatrix(matrix(0, 3, []), { ...at, name: 'a', allowEmpty: true }))).toBeUndefined();
    expect((thrown(() => assertMatrix(matrix(1, 2, [1, Number.NaN]), { ...at, name: 'a' })) as Error).message).toBe(
      'demo: solve: non-finite value NaN at a[0, 1]',
    );
  });

  it('assertSquareMatrix checks the shape before the entries', () => {
    const error = thrown(() => assertSquareMatrix(matrix(1, 2, [Number.NaN, 1]), { ...at, name: 'a' }));
    expect((error as Error).message).toBe('demo: solve: a shape: expected square matrix, got 1 x 2');
    expect((thrown(() => assertSquareMatrix(matrix(1, 1, [1]), { ...at, name: 'a', size: 2 })) as Error).message).toBe(
      'demo: solve: a shape: expected 2 x 2, got 1 x 1',
    );
    expect(DimensionMismatchError.isInstance(thrown(() => assertSquareMatrix(matrix(0, 0, []), { ...at, name: 'a' })))).toBe(true);
    expect(thrown(() => assertSquareMatrix(matrix(2, 2, [1, 2, 3, 4]), { ...at, name: 'a', size: 2 }))).toBeUndefined();
  });
});

describe('shape checks', () => {
  it('assertNonEmpty rejects exactly the shapes with a zero extent', () => {
    fc.assert(
      fc.property(fc.nat(4), fc.nat(4), (rows, columns) => {
        const error = thrown(() => assertNonEmpty({ rows, columns }, { ...at, name: 'a' }));
        if (rows > 0 && columns > 0) return error === undefined;
        return DimensionMismatchError.isInstance(error) && error.what === 'a shape' && error.actual === `${rows} x ${columns}`;
      }),
    );
  });

  it('assertSquare accepts exactly square shapes of the requested size', () => {
    fc.assert(
      fc.property(fc.nat(6), fc.nat(6), fc.option(fc.nat(6), { nil: undefined }), (rows, columns, size) => {
        const error = thrown(() => assertSquare({ rows, columns }, size === undefined ? { ...at, name: 'a' } : { ...at, name: 'a', size }));
        const ok = rows === columns && (size === undefined || rows === size);
        if (ok) return error === undefined;
        return DimensionMismatchError.isInstance(error) && error.expected === (rows === columns ? `${size} x ${size}` : 'square matrix');
      }),
    );
  });

  it('assertShape accepts exactly the matching rank and extents, null matching any extent', () => {
    const extent = fc.nat(4);
    fc.assert(
      fc.property(fc.array(extent, { maxLength: 4 }), fc.array(fc.option(extent, { nil: null }), { maxLength: 4 }), (shape, expected) => {
        const error = thrown(() => assertShape(shape, expected, { ...at, what: 'weight' }));
        const ok = shape.length === expected.length && expected.every((e, k) => e === null || e === shape[k]);
        if (ok) return error === undefined;
        return DimensionMismatchError.isInstance(error) && error.what === 'weight shape';
      }),
    );
    expect((thrown(() => assertShape([2, 3, 4], [2, null], { ...at, what: 'weight' })) as Error).message).toBe(
      'demo: solve: weight shape: expected [2, *], got [2, 3, 4]',
    );
  });

  it('assertLength compares exactly and shows the formula', () => {
    expect(thrown(() => assertLength(12, 12, { ...at, what: 'data length' }))).toBeUndefined();
    expect((thrown(() => assertLength(11, 12, { ...at, what: 'data length', formula: '3 * 4' })) as Error).message).toBe(
      'demo: solve: data length: expected 3 * 4 = 12, got 11',
    );
  });
});

describe('size and integer checks', () => {
  const number = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -5, max: 5, noNaN: true }), nonFinite);

  it('assertSize and assertPositiveSize accept exactly the integers >= 0 and >= 1', () => {
    fc.assert(
      fc.property(number, (n) => {
        const size = thrown(() => assertSize(n, { ...at, what: 'rows' }));
        const positive = thrown(() => assertPositiveSize(n, { ...at, what: 'rows' }));
        const sizeOk = Number.isInteger(n) && n >= 0;
        const positiveOk = Number.isInteger(n) && n >= 1;
        return (
          (sizeOk ? size === undefined : DimensionMismatchError.isInstance(size)) &&
          (positiveOk ? positive === undefined : DimensionMismatchError.isInstance(positive))
        );
      }),
    );
  });

  it('assertIntegerAtLeast accepts exactly the integers >= minimum', () => {
    fc.assert(
      fc.property(number, fc.integer({ min: -3, max: 3 }), (n, minimum) => {
        const error = thrown(() => assertIntegerAtLeast(n, minimum, { ...at, argument: 'count' }));
        if (Number.isInteger(n) && n >= minimum) return error === undefined;
        return InvalidArgumentError.isInstance(error) && error.argument === 'count';
      }),
    );
  });

  it('words the common minima', () => {
    expect((thrown(() => assertPositiveInteger(0, { ...at, argument: 'steps' })) as Error).message).toBe(
      'demo: solve: steps: expected a positive integer, got 0',
    );
    expect((thrown(() => assertNonNegativeInteger(1.5, { ...at, argument: 'epochs' })) as Error).message).toBe(
      'demo: solve: epochs: expected a non-negative integer, got 1.5',
    );
    expect((thrown(() => assertIntegerAtLeast(2, 3, { ...at, argument: 'order' })) as Error).message).toBe(
      'demo: solve: order: expected an integer >= 3, got 2',
    );
  });
});

describe('assertUnitInterval', () => {
  it('accepts exactly 0 <= x < 1', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(0, 1, -0), nonFinite), (x) => {
        const error = thrown(() => assertUnitInterval(x, { ...at, argument: 'momentum' }));
        if (x >= 0 && x < 1) return error === undefined;
        return InvalidArgumentError.isInstance(error);
      }),
    );
    expect((thrown(() => assertUnitInterval(1, { ...at, argument: 'tolerance', noun: 'a relative tolerance' })) as Error).message).toBe(
      'demo: solve: tolerance: expected a relative tolerance in [0, 1), got 1',
    );
  });
});

describe('assertSymmetric', () => {
  const symmetricData = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n * n, maxLength: n * n }).map((raw) => {
      const a = Float64Array.from(raw);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i]!;
      return { n, a };
    }),
  );

  it('accepts every exactly symmetric matrix, at any scale', () => {
    fc.assert(
      fc.property(symmetricData, fc.double({ min: 1e-200, max: 1e200, noNaN: true }), ({ n, a }, factor) => {
        const get = (i: number, j: number) => a[i * n + j]! * factor;
        return thrown(() => assertSymmetric({ get }, n, { ...at, name: 'a', relativeTolerance: 0 })) === undefined;
      }),
    );
  });

  it('rejects exactly a perturbation above the relative tolerance and locates it', () => {
    fc.assert(
      fc.property(symmetricData, fc.nat(), fc.nat(), fc.double({ min: 0.5, max: 2, noNaN: true }), ({ n, a }, p, q, relative) => {
        fc.pre(n >= 2);
        const i = p % n;
        const j = (i + 1 + (q % (n - 1))) % n;
        const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        fc.pre(scale > 0);
        const relativeTolerance = 1e-3;
        const b = Float64Array.from(a);
        // The perturbation may grow the largest entry, so the tolerance is judged against the perturbed scale.
        b[i * n + j] = b[i * n + j]! + relative * relativeTolerance * scale;
        const trueScale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const gap = Math.abs(b[i * n + j]! - b[j * n + i]!);
        const error = thrown(() => assertSymmetric({ get: (r, c) => b[r * n + c]! }, n, { ...at, name: 'g', relativeTolerance }));
        if (gap <= relativeTolerance * trueScale) return error === undefined;
        return NotSymmetricError.isInstance(error) && error.location === `g[${Math.min(i, j)}, ${Math.max(i, j)}]` && error.asymmetry === gap;
      }),
    );
  });
});
