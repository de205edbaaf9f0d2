/**
 * The ONNX graph side of "your model" in Node (no runtime needed): layers listed from the file,
 * samples checked against the graph input with messages naming both shapes, and the cost
 * estimate that refuses layers too large for the page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@descramble/io';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../src/compute/files.js';
import { graphData, openGraph } from '../src/compute/graph.js';
import { LAYER_MEMORY_LIMIT_BYTES, layerCost } from '../src/compute/layer-cost.js';
import type { InputFile } from '../src/protocol.js';

const REAL = new URL('../../../fixtures/real-models/', import.meta.url).pathname;

const file = (folder: string, name: string): InputFile => {
  const bytes = readFileSync(join(REAL, folder, name));
  return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
};
const npy = (name: string, shape: number[]): InputFile => {
  const bytes = writeNpy({ dtype: 'float32', shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) });
  return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
};

describe('openGraph', () => {
  it('lists the layers of the reference (module, op, units, fan-in, output) and every node', () => {
    const reference = JSON.parse(readFileSync(join(REAL, 'resnet', 'reference.json'), 'utf8')) as {
      layers: { module: string; op: string; units: number; fanIn: number; output: boolean }[];
    };
    const { summary } = openGraph(file('resnet', 'a.onnx'), []);
    expect(summary.layers.map((l) => [l.name, l.opType, l.units, l.fanIn, l.isOutput])).toEqual(reference.layers.map((l) => [l.module, l.op, l.units, l.fanIn, l.output]));
    expect(summary.nodes.filter((n) => n.layer !== null).map((n) => summary.layers[n.layer!]!.node)).toEqual(summary.layers.map((l) => l.node));
    expect(summary.inputs).toEqual([{ name: 'input', shape: ['batch', 3, 12, 12], dtype: 'float32' }]);
  });

  it('names the file when it is not ONNX', () => {
    expect(() => openGraph({ name: 'x.onnx', bytes: new TextEncoder().encode('not a model').buffer as ArrayBuffer }, [])).toThrow(/x\.onnx: cannot be read as ONNX/);
  });
});

describe('graphData of a token model (int64 ids)', () => {
  const TOKENS = new URL('../../../fixtures/token-models/text-transformer/', import.meta.url).pathname;
  const tokenFile = (name: string): InputFile => {
    const bytes = readFileSync(join(TOKENS, name));
    return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
  };

  it('takes int64 ids for an int64 graph input, and refuses them for a float one', () => {
    const { session } = openGraph(tokenFile('a.onnx'), []);
    expect(graphData(session, tokenFile('inputs.npy'))).toMatchObject({ samples: 64, shape: [64, 6], dtype: 'int64' });
    expect(session.data?.data.every((v) => Number.isInteger(v) && v >= 0 && v < 50)).toBe(true);
    const { session: images } = openGraph(file('cnn-pools', 'a.onnx'), []);
    expect(() => graphData(images, tokenFile('inputs.npy'))).toThrow(/holds int64 values; graph input "input" takes float32 samples/);
  });
});

describe('graphData', () => {
  const { session } = openGraph(file('cnn-pools', 'a.onnx'), []);

  it('accepts samples of the graph input and keeps them', () => {
    expect(graphData(session, file('cnn-pools', 'inputs.npy'))).toEqual({ file: 'inputs.npy', samples: 64, shape: [64, 1, 16, 16], dtype: 'float32' });
    expect(session.data?.data.length).toBe(64 * 256);
  });

  it('names both shapes when a sample does not fit, and never blames the file format', () => {
    for (const shape of [[4, 3, 16, 16], [4, 16, 16], [4, 1, 16, 15]]) {
      const attempt = () => graphData(session, npy('x.npy', shape));
      expect(attempt).toThrow(UnreadableFileError);
      expect(attempt).toThrow(`x.npy: has shape [${shape.join(', ')}], so each sample is [${shape.slice(1).join(', ')}]; graph input "input" of a.onnx takes [batch, 1, 16, 16], so each sample must be [1, 16, 16]`);
    }
  });

  it('wants .npy samples with at least one sample', () => {
    expect(() => graphData(session, { ...npy('x.npz', [2, 1, 16, 16]) })).toThrow(/x\.npz: choose the samples as a \.npy file/);
    expect(() => graphData(session, npy('none.npy', [0, 1, 16, 16]))).toThrow(/none\.npy: holds no samples/);
  });
});

describe('layerCost', () => {
  it('grows like d^3 in time and d^2 in memory', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10_000 }), (d, fanIn) => {
        const one = layerCost('x', d, fanIn);
        const two = layerCost('x', 2 * d, fanIn);
        expect(two.seconds / one.seconds).toBeCloseTo(8, 10);
        expect(two.bytes).toBeGreaterThan(one.bytes);
        expect(two.bytes).toBeLessThanOrEqual(4 * one.bytes);
      }),
    );
  });

  it('refuses exactly the layers above the memory limit, saying how much they need', () => {
    expect(layerCost('small', 4096, 64).refusal).toBeNull();
    const big = layerCost('fc1', 12_000, 2);
    expect(big.bytes).toBeGreaterThan(LAYER_MEMORY_LIMIT_BYTES);
    expect(big.refusal).toMatch(/^layer fc1 has 12000 units: its exact descrambler needs about 6\.4 GB/);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), (d) => {
        const cost = layerCost('x', d, 1);
        expect(cost.refusal === null).toBe(cost.bytes <= LAYER_MEMORY_LIMIT_BYTES);
      }),
    );
  });
});
