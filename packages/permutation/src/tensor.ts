import { assertLength, assertShape, type Float64Tensor, shapeSize } from '@descramble/core';
import { DimensionMismatchError, permutationScope } from './errors.js';

/**
 * A plain-data dense tensor: @descramble/core's `Float64Tensor`, row-major (C order, last axis
 * fastest) `Float64Array` with its shape (and optionally its dtype), e.g. PyTorch conv weights
 * `[out, in, kh, kw]` or activations `[N, C, H, W]`. A tensor read by @descramble/io is one.
 */
export type Tensor = Float64Tensor;

export { shapeSize };

/**
 * Creates a tensor, checking that the shape has non-negative integer dimensions and
 * matches the data length. The data is used as given (not copied).
 */
export function tensor(shape: readonly number[], data: Float64Array | readonly number[]): Tensor {
  const operation = 'tensor';
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new DimensionMismatchError({ operation, what: 'shape', expected: 'non-negative integers', actual: `[${shape.join(', ')}]`, ...permutationScope });
  }
  const flat = data instanceof Float64Array ? data : Float64Array.from(data);
  if (flat.length !== shapeSize(shape)) {
    throw new DimensionMismatchError({ operation, what: `data length for shape [${shape.join(', ')}]`, expected: shapeSize(shape), actual: flat.length, ...permutationScope });
  }
  return { shape: [...shape], data: flat };
}

/** Throws unless `t` has `rank` axes (and `expected` sizes where given, -1 = any) and data to match. */
export function checkTensor(operation: string, what: string, t: Tensor, expected: readonly number[]): void {
  assertShape(t.shape, expected.map((d) => (d < 0 ? null : d)), { ...permutationScope, operation, what });
  assertLength(t.data.length, shapeSize(t.shape), { ...permutationScope, operation, what: `${what} data length for shape [${t.shape.join(', ')}]` });
}
