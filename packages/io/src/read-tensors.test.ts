import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnknownFormatError } from './errors.js';
import { findHdf5Superblock } from './hdf5.js';
import { detectFormat, readTensors } from './read-tensors.js';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

describe('read-tensors loads the heavy readers lazily', () => {
  it('has no static value import of the ONNX, HDF5 or .mat modules (only type imports)', () => {
    const source = readFileSync(new URL('./read-tensors.ts', import.meta.url), 'utf8');
    const staticImports = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)].map((m) => ({ typeOnly: m[1] !== undefined, from: m[2] }));
    expect(staticImports.length).toBeGreaterThan(3); // the regex does see the imports
    const heavy = staticImports.filter((i) => !i.typeOnly && ['./onnx.js', './hdf5.js', './mat.js'].includes(i.from!));
    expect(heavy).toEqual([]);
    for (const module of ['./onnx.js', './hdf5.js', './mat.js']) expect(source).toContain(`await import('${module}')`);
  });

  it('detectFormat finds an HDF5 signature exactly where findHdf5Superblock does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.boolean(), (length, at, place) => {
        const bytes = new Uint8Array(length);
        if (place && at + 8 <= length) bytes.set(HDF5_SIGNATURE, at);
        const found = findHdf5Superblock(bytes) >= 0;
        if (found) expect(detectFormat(bytes, 'data.bin')).toBe('hdf5');
        else expect(() => detectFormat(bytes, 'data.bin')).toThrow(UnknownFormatError);
      }),
      { numRuns: 300 },
    );
  });

  it('reads an ONNX model through the lazily imported reader, and again from the loaded module', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../../fixtures/pytorch/mlp.onnx', import.meta.url)));
    const first = await readTensors({ bytes, name: 'mlp.onnx' });
    const second = await readTensors({ bytes, name: 'mlp.onnx' });
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    expect(first.get('fc1.weight')?.shape).toEqual([12, 16]);
  });
});
