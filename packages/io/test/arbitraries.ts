/** fast-check arbitraries of tensors whose values are exactly representable in their dtype. */
import fc from 'fast-check';
import { type DType, ELEMENT_SIZE, type Tensor, bfloat16BitsToNumber, float16BitsToNumber } from '../src/index.js';

const LIMITS: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 2 ** 32 - 1],
  bool: [0, 1],
};

function valueArbitrary(dtype: DType): fc.Arbitrary<number | bigint> {
  switch (dtype) {
    case 'float64':
      return fc.double({ noNaN: true });
    case 'float32':
      return fc.float({ noNaN: true }).map(Math.fround);
    case 'float16':
      return fc.integer({ min: 0, max: 0xffff }).map(float16BitsToNumber).filter((v) => !Number.isNaN(v));
    case 'bfloat16':
      return fc.integer({ min: 0, max: 0xffff }).map(bfloat16BitsToNumber).filter((v) => !Number.isNaN(v));
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'uint64':
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    default: {
      const [min, max] = LIMITS[dtype]!;
      return fc.integer({ min, max });
    }
  }
}

export function tensorArbitrary(dtypes: readonly DType[] = Object.keys(ELEMENT_SIZE) as DType[]): fc.Arbitrary<Tensor> {
  return fc
    .record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }) })
    .chain(({ dtype, shape }) => {
      const count = shape.reduce((a, b) => a * b, 1);
      return fc.array(valueArbitrary(dtype), { minLength: count, maxLength: count }).map((values): Tensor => {
        if (dtype === 'int64') return { dtype, shape, data: BigInt64Array.from(values as bigint[]) };
        if (dtype === 'uint64') return { dtype, shape, data: BigUint64Array.from(values as bigint[]) };
        return { dtype, shape, data: Float64Array.from(values as number[]) };
      });
    });
}

export function tensorsArbitrary(dtypes?: readonly DType[]): fc.Arbitrary<Map<string, Tensor>> {
  return fc
    .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== '__metadata__'), tensorArbitrary(dtypes)), {
      selector: ([name]) => name,
      maxLength: 6,
    })
    .map((entries) => new Map(entries));
}

/** Tensor maps compared with Object.is semantics on values (-0 vs 0 matters for floats). */
export function sameTensors(a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (y === undefined || x.dtype !== y.dtype || x.shape.join() !== y.shape.join() || x.data.length !== y.data.length) return false;
    for (let i = 0; i < x.data.length; i++) if (!Object.is(x.data[i], y.data[i])) return false;
  }
  return true;
}
