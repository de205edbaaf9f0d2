import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createRng, gaussianMatrix, relativeMatrixError } from '../test/helpers.js';
import { descrambleLayer, descrambleLayerAsync } from './descramble-layer.js';
import { descramblerDistance } from './descrambler-distance.js';
import { GramAccumulator, GramOverflowError } from '@descramble/linalg';
import { DimensionMismatchError, EmptyDataError, InvalidArgumentError, NonFiniteInputError, ZeroMatrixError } from './errors.js';
import { accumulateLayerGram, accumulateLayerGramAsync, type RowBlock } from './layer-gram.js';

const out = 7;
const inputs = 11;
const samples = 300;

function layer(seed: number) {
  const rng = createRng(seed);
  return {
    weights: gaussianMatrix(rng, out, inputs),
    data: gaussianMatrix(rng, samples, inputs),
    next: gaussianMatrix(rng, 5, out),
    bias: Array.from({ length: out }, () => rng.normal()),
  };
}

/** Row blocks of uneven sizes, as Matrix or flat row-major arrays. */
function* blocks(data: Matrix, flat: boolean): Generator<RowBlock> {
  const sizes = [1, 0, 17, 64, 3];
  let start = 0;
  let k = 0;
  while (start < data.rows) {
    const size = Math.min(sizes[k++ % sizes.length]!, data.rows - start);
    if (size === 0) {
      yield flat ? new Float64Array(0) : new Matrix(0, data.columns);
    } else {
      const block = data.subMatrix(start, start + size - 1, 0, data.columns - 1);
      yield flat ? Float64Array.from(block.to1DArray()) : block;
    }
    start += size;
  }
}

async function* asyncBlocks(data: Matrix): AsyncGenerator<RowBlock> {
  for (const block of blocks(data, true)) yield block;
}

describe('descrambleLayer', () => {
  const { weights, data, next, bias } = layer(1);
  const s = weights.mmul(data.transpose());
  const expectedGram = s.mmul(s.transpose());

  it('accumulates B = W X^T X W^T from a matrix, in blocks, from flat arrays and asynchronously', async () => {
    const whole = descrambleLayer({ weights, data, blockSize: 37 });
    expect(relativeMatrixError(whole.gram, expectedGram)).toBeLessThan(1e-13);
    expect(whole.sampleCount).toBe(samples);
    expect(whole.rankB).toBe(out);
    expect(whole.source).toBe('data');
    for (const result of [
      descrambleLayer({ weights, data: blocks(data, false) }),
      descrambleLayer({ weights, data: blocks(data, true) }),
      await descrambleLayerAsync({ weights, data: asyncBlocks(data) }),
      await descrambleLayerAsync({ weights, data }),
    ]) {
      expect(result.sampleCount).toBe(samples);
      expect(relativeMatrixError(result.gram, expectedGram)).toBeLessThan(1e-13);
      expect(descramblerDistance(result.P, whole.P, whole.smoothness)).toBeLessThan(1e-9);
    }
    const accumulator = accumulateLayerGram(weights, blocks(data, true));
    expect(relativeMatrixError(accumulator.gram(), expectedGram)).toBeLessThan(1e-13);
    const asyncAccumulator = await accumulateLayerGramAsync(weights, asyncBlocks(data));
    expect(asyncAccumulator.count).toBe(samples);
    // Shards accumulated separately (Theorem 1: in any order, on any worker) and merged.
    const first = accumulateLayerGram(weights, data.subMatrix(0, 99, 0, inputs - 1));
    const second = accumulateLayerGram(weights, data.subMatrix(100, samples - 1, 0, inputs - 1));
    const merged = descrambleLayer({ weights, gram: second.merge(first) });
    expect(merged.sampleCount).toBe(samples);
    expect(relativeMatrixError(merged.gram, expectedGram)).toBeLessThan(1e-13);
    expect(() => descrambleLayer({ weights, gram: accumulateLayerGram(weights, []) })).toThrow(EmptyDataError);
  });

  it('gives P W, W_next P^T (the linear map W_next W is unchanged) and P b', () => {
    const result = descrambleLayer({ weights, data, nextWeights: next, bias });
    expect(relativeMatrixError(result.descrambledWeights, result.P.mmul(weights))).toBeLessThan(1e-14);
    const composed = result.descrambledNextWeights!.mmul(result.descrambledWeights);
    expect(relativeMatrixError(composed, next.mmul(weights))).toBeLessThan(1e-13);
    const pb = result.P.mmul(Matrix.columnVector(bias)).getColumn(0);
    pb.forEach((x, i) => {
      expect(Math.abs(x - result.descrambledBias![i]!)).toBeLessThan(1e-13 * Math.max(1, Math.abs(x)));
    });
  });

  it('includes the bias in the preactivations, from data and from (second moment, mean)', () => {
    const withBias = s.clone();
    for (let i = 0; i < out; i++) for (let j = 0; j < samples; j++) withBias.set(i, j, withBias.get(i, j) + bias[i]!);
    const expected = withBias.mmul(withBias.transpose());
    const fromData = descrambleLayer({ weights, data, bias });
    expect(relativeMatrixError(fromData.gram, expected)).toBeLessThan(1e-13);
    const secondMoment = data.transpose().mmul(data).div(samples);
    const mean = Array.from({ length: inputs }, (_, j) => data.getColumn(j).reduce((x, y) => x + y, 0) / samples);
    const fromMoments = descrambleLayer({ weights, secondMoment, mean, bias });
    expect(fromMoments.source).toBe('secondMoment');
    expect(fromMoments.sampleCount).toBeNull();
    expect(relativeMatrixError(fromMoments.gram.clone().mul(samples), expected)).toBeLessThan(1e-12);
    expect(descramblerDistance(fromMoments.P, fromData.P, fromData.smoothness)).toBeLessThan(1e-9);
    expect(() => descrambleLayer({ weights, secondMoment, bias })).toThrow(InvalidArgumentError);
  });

  it('uses a given Gram matrix as is', () => {
    const result = descrambleLayer({ weights, gram: expectedGram, operator: 'dirichlet' });
    expect(result.source).toBe('gram');
    expect(result.sampleCount).toBeNull();
    expect(result.gram.to2DArray()).toEqual(expectedGram.to2DArray());
  });

  it('fewer samples than neurons: answers, flagged, with rank and family size', () => {
    const few = data.subMatrix(0, 2, 0, inputs - 1);
    const result = descrambleLayer({ weights, data: few, operator: 'dirichlet' });
    expect(result.sampleCount).toBe(3);
    expect(result.rankB).toBe(3);
    // The out - 3 null directions of B are one exact (roundoff) tie group; Dirichlet A has none.
    expect(result.exactFamilyDimension).toBe(((out - 3) * (out - 4)) / 2);
    expect(result.exactTies.b.map((g) => [g.indices.length, g.reason])).toEqual([[out - 3, 'roundoff']]);
    // N = 3: sampling uncertainty sqrt(2/3) can only add ties.
    expect(result.familyDimension).toBeGreaterThanOrEqual(result.exactFamilyDimension);
    expect(result.warnings.map((w) => w.kind)).toEqual(expect.arrayContaining(['fewer-samples-than-neurons', 'rank-deficient']));
    expect(result.rankRule).toContain(result.rankThreshold.toExponential(3));
    expect(result.gap).toBe(0);
    expect(result.withinRoundoff).toBe(true);
  });

  it('one sample: rank 1, never a negative optimum or value', () => {
    const one = descrambleLayer({ weights, data: data.subMatrix(0, 0, 0, inputs - 1), operator: 'fourier' });
    expect(one.rankB).toBe(1);
    expect(one.optimum).toBeGreaterThanOrEqual(0);
    expect(one.value).toBeGreaterThanOrEqual(0);
    expect(one.gramEigenvalues.every((x) => x >= 0)).toBe(true);
    expect(one.withinRoundoff).toBe(true);
  });

  it('one outlier of 3e38: B is rank 1 to working precision; value and optimum are flagged, never negative', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rows = gaussianMatrix(createRng(seed), 40, inputs);
      rows.set(seed, seed % inputs, 3e38);
      const result = descrambleLayer({ weights, data: rows, rescale: seed % 2 === 0 });
      expect(result.rankB).toBe(1);
      expect(result.value).toBeGreaterThanOrEqual(0);
      expect(result.optimum).toBeGreaterThanOrEqual(0);
      expect(result.gramEigenvalues.every((x) => x >= 0)).toBe(true);
      expect(result.withinRoundoff).toBe(true);
      expect(result.gap).toBe(0);
      const kinds = result.warnings.map((w) => w.kind);
      expect(kinds).toContain('rank-deficient');
      expect(kinds).toContain('value-within-roundoff');
    }
  });

  it('zero data or all-zero weights: a typed error that names the layer', () => {
    expect(() => descrambleLayer({ weights, data: new Matrix(20, inputs) })).toThrow(ZeroMatrixError);
    expect(() => descrambleLayer({ weights, data: new Matrix(20, inputs), label: 'layer fc1 of net.onnx' })).toThrow(
      /^descramblers: descrambleLayer \(layer fc1 of net\.onnx\): gram: is the zero matrix/,
    );
    expect(() => descrambleLayer({ weights: new Matrix(out, inputs), data, label: 'layer fc1 of net.onnx' })).toThrow(
      /^descramblers: descrambleLayer \(layer fc1 of net\.onnx\): weights: is the zero matrix \(the layer weights are all zero\)/,
    );
  });

  it('a sample whose squares overflow float64 is named; an empty accumulator is refused', () => {
    const huge = data.clone();
    huge.set(7, 2, 1e200);
    const error = (() => {
      try {
        descrambleLayer({ weights, data: huge, blockSize: 4, label: 'fc1' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GramOverflowError);
    expect((error as GramOverflowError).sample).toBe(7);
    expect((error as Error).message).toMatch(/^descramblers: descrambleLayer \(fc1\): sample 7 makes the Gram matrix overflow/);
    expect(() => descrambleLayer({ weights, gram: new GramAccumulator(out) })).toThrow(EmptyDataError);
    expect(() => descrambleLayer({ weights, gram: Matrix.eye(out), sampleCount: 0 })).toThrow(EmptyDataError);
  });

  it('aborts: a pre-aborted signal throws its reason; aborting between blocks stops accumulation', () => {
    const reason = new Error('stop');
    expect(() => descrambleLayer({ weights, data, signal: AbortSignal.abort(reason) })).toThrow(reason);
    const controller = new AbortController();
    let blocks = 0;
    function* stream() {
      for (let i = 0; i < 10; i++) {
        blocks++;
        if (blocks === 3) controller.abort(reason);
        yield data.subMatrix(0, 1, 0, inputs - 1);
      }
    }
    expect(() => descrambleLayer({ weights, data: stream(), signal: controller.signal })).toThrow(reason);
    expect(blocks).toBe(3);
  });

  it('rejects bad input with typed errors', async () => {
    expect(() => descrambleLayer({ weights, data: new Matrix(0, inputs) })).toThrow(EmptyDataError);
    expect(() => descrambleLayer({ weights, data: [] })).toThrow(EmptyDataError);
    await expect(descrambleLayerAsync({ weights, data: asyncBlocks(new Matrix(0, inputs)) })).rejects.toThrow(EmptyDataError);
    expect(() => descrambleLayer({ weights, data: gaussianMatrix(createRng(2), 4, inputs + 1) })).toThrow(DimensionMismatchError);
    expect(() => descrambleLayer({ weights, data: [new Float64Array(inputs + 1)] })).toThrow(DimensionMismatchError);
    const nan = data.clone();
    nan.set(250, 3, Number.NaN);
    expect(() => descrambleLayer({ weights, data: nan, blockSize: 100 })).toThrow(/data\[250, 3\]/);
    expect(() => descrambleLayer({ weights, data: [data, nan] })).toThrow(/data block 1\[250, 3\]/);
    expect(() => descrambleLayer({ weights, data: nan })).toThrow(NonFiniteInputError);
    const inf = weights.clone();
    inf.set(0, 0, Number.NEGATIVE_INFINITY);
    expect(() => descrambleLayer({ weights: inf, data })).toThrow(NonFiniteInputError);
    expect(() => descrambleLayer({ weights, data, bias: [1, 2] })).toThrow(DimensionMismatchError);
    expect(() => descrambleLayer({ weights, data, bias: bias.map(() => Number.NaN) })).toThrow(NonFiniteInputError);
    expect(() => descrambleLayer({ weights, data, nextWeights: new Matrix(3, out + 1) })).toThrow(DimensionMismatchError);
    expect(() => descrambleLayer({ weights })).toThrow(InvalidArgumentError);
    expect(() => descrambleLayer({ weights, data, gram: expectedGram })).toThrow(InvalidArgumentError);
    expect(() => descrambleLayer({ weights, gram: expectedGram, bias })).toThrow(InvalidArgumentError);
    expect(() => descrambleLayer({ weights, gram: Matrix.eye(out + 1) })).toThrow(DimensionMismatchError);
    expect(() => descrambleLayer({ weights, secondMoment: Matrix.eye(inputs - 1) })).toThrow(DimensionMismatchError);
    expect(() => descrambleLayer({ weights, data, blockSize: 0 })).toThrow(InvalidArgumentError);
    const nanGram = expectedGram.clone();
    nanGram.set(2, 2, Number.NaN);
    expect(() => descrambleLayer({ weights, gram: nanGram })).toThrow(NonFiniteInputError);
    const nanMoment = Matrix.eye(inputs);
    nanMoment.set(0, 0, Number.POSITIVE_INFINITY);
    expect(() => descrambleLayer({ weights, secondMoment: nanMoment })).toThrow(NonFiniteInputError);
    const nanNext = next.clone();
    nanNext.set(1, 1, Number.NaN);
    expect(() => descrambleLayer({ weights, data, nextWeights: nanNext })).toThrow(NonFiniteInputError);
    const nanMean = Array.from({ length: inputs }, () => Number.NaN);
    expect(() => descrambleLayer({ weights, secondMoment: Matrix.eye(inputs), bias, mean: nanMean })).toThrow(NonFiniteInputError);
    expect(() => descrambleLayer({ weights, secondMoment: Matrix.eye(inputs), bias, mean: [1] })).toThrow(DimensionMismatchError);
    expect(() => descrambleLayer({ weights, data: 5 as unknown as Matrix })).toThrow(InvalidArgumentError);
  });

  it('never mutates its inputs', () => {
    const copies = [weights.clone(), data.clone(), next.clone()];
    const biasCopy = [...bias];
    descrambleLayer({ weights, data, nextWeights: next, bias, rescale: true });
    expect([weights, data, next].map((m) => m.to2DArray())).toEqual(copies.map((m) => m.to2DArray()));
    expect(bias).toEqual(biasCopy);
  });
});
