import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { asInputType, fitsInputShape, type GraphInputSpec, inputSampleShapeText, isBlockStream, sliceBlock, validateBlock } from './graph-inputs.js';

const specs: GraphInputSpec[] = [
  { name: 'image', dtype: 'float32', shape: ['batch', 2, 3] },
  { name: 'mask', dtype: 'float64', shape: null },
];

describe('validateBlock', () => {
  it('takes a record by input name in any order and returns the tensors in the graph order', () => {
    const mask = { data: new Float64Array(4), dims: [2, 2] };
    const image = { data: new Float32Array(12), dims: [2, 2, 3] };
    const block = validateBlock({ mask, image }, specs, 0, 'test');
    expect(block.samples).toBe(2);
    expect(block.tensors).toEqual([image, mask]);
  });

  it('takes a bare tensor for a graph with one input only', () => {
    const image = { data: new Float32Array(6), dims: [1, 2, 3] };
    expect(validateBlock(image, specs.slice(0, 1), 0, 'test').tensors).toEqual([image]);
    expect(() => validateBlock(image, specs, 0, 'test')).toThrow(InvalidArgumentError);
  });

  it('names the input and both shapes when a per-sample shape differs, and checks lengths and sample counts', () => {
    const image = { data: new Float32Array(8), dims: [1, 2, 4] };
    expect(() => validateBlock(image, specs.slice(0, 1), 0, 'test')).toThrow(ShapeMismatchError);
    expect(() => validateBlock(image, specs.slice(0, 1), 0, 'test')).toThrow('per-sample shape of input "image": expected [2, 3], got [2, 4]');
    expect(() => validateBlock({ data: new Float32Array(5), dims: [1, 2, 3] }, specs.slice(0, 1), 0, 'test')).toThrow(/data length/);
    const twoSamples = { data: new Float32Array(12), dims: [2, 2, 3] };
    expect(() => validateBlock({ image: twoSamples, mask: { data: new Float64Array(3), dims: [3, 1] } }, specs, 0, 'test')).toThrow(/samples of input "mask"/);
    expect(() => validateBlock({ image: twoSamples, mask: { data: new Float64Array(2), dims: [2] }, extra: twoSamples }, specs, 0, 'test')).toThrow(/no graph input "extra"/);
  });

  it('refuses NaN and infinities, naming the sample counted over the stream', () => {
    const data = new Float32Array(18);
    data[13] = Number.POSITIVE_INFINITY;
    expect(() => validateBlock({ data, dims: [3, 2, 3] }, specs.slice(0, 1), 100, 'test')).toThrow(NonFiniteValueError);
    expect(() => validateBlock({ data, dims: [3, 2, 3] }, specs.slice(0, 1), 100, 'test')).toThrow(/input "image", sample 102/);
  });
});

describe('sliceBlock and asInputType', () => {
  it('cuts a block into consecutive parts that together are the block', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 25 }), (samples, size) => {
        const image = { data: Float32Array.from({ length: samples * 6 }, (_, i) => i), dims: [samples, 2, 3] };
        const mask = { data: Float64Array.from({ length: samples * 2 }, (_, i) => -i), dims: [samples, 2] };
        const block = validateBlock({ image, mask }, specs, 0, 'test');
        const images: number[] = [];
        const masks: number[] = [];
        for (let start = 0; start < samples; start += size) {
          const part = sliceBlock(block, start, Math.min(size, samples - start));
          expect(part.tensors[0]!.dims).toEqual([part.samples, 2, 3]);
          images.push(...part.tensors[0]!.data);
          masks.push(...part.tensors[1]!.data);
        }
        expect(images).toEqual([...image.data]);
        expect(masks).toEqual([...mask.data]);
      }),
    );
  });

  it('converts to the input element type only when it differs', () => {
    const f32 = { data: Float32Array.of(0.1, 2), dims: [1, 2] };
    const f64 = { data: Float64Array.of(0.1, 2), dims: [1, 2] };
    expect(asInputType(f32, specs[0]!)).toBe(f32.data);
    expect(asInputType(f64, specs[1]!)).toBe(f64.data);
    expect(asInputType(f64, specs[0]!)).toEqual(Float32Array.of(0.1, 2));
    expect(asInputType(f32, specs[1]!)).toEqual(Float64Array.of(Math.fround(0.1), 2));
  });

  it('tells a stream of blocks from one block', () => {
    expect(isBlockStream({ data: new Float32Array(1), dims: [1] })).toBe(false);
    expect(isBlockStream({ image: { data: new Float32Array(1), dims: [1] } })).toBe(false);
    expect(isBlockStream([])).toBe(true);
    expect(isBlockStream((async function* () {})())).toBe(true);
  });
});

describe('fitsInputShape', () => {
  it('accepts any size at symbolic dimensions and exactly the fixed ones elsewhere', () => {
    const spec = { shape: ['batch', 3, 'height', 8] as (number | string | null)[] };
    expect(fitsInputShape(spec, [3, 17, 8])).toBe(true);
    expect(fitsInputShape(spec, [3, 17, 9])).toBe(false);
    expect(fitsInputShape(spec, [3, 17])).toBe(false);
    expect(fitsInputShape({ shape: null }, [5, 5, 5])).toBe(true);
    expect(inputSampleShapeText(spec)).toBe('[3, ?, 8]');
  });

  it('is the check validateBlock applies (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant('n')), { maxLength: 3 }), fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }), (declared, actual) => {
        const spec = { name: 'x', dtype: 'float32' as const, shape: ['batch', ...declared] };
        const size = actual.reduce((a, b) => a * b, 1);
        const block = { data: new Float32Array(2 * size), dims: [2, ...actual] };
        let accepted = true;
        try {
          validateBlock(block, [spec], 0, 'test');
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(fitsInputShape(spec, actual));
      }),
    );
  });
});
