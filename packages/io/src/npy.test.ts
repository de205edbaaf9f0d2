import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameTensors, tensorArbitrary } from '../test/arbitraries.js';
import { FIXTURES } from '../test/helpers.js';
import { MalformedHeaderError, OversizedError, TruncatedFileError, UnsupportedDtypeError, UnsupportedFeatureError } from './errors.js';
import { parseNpyHeader, readNpy, writeNpy } from './npy.js';
import type { DType } from './tensor.js';

const NPY_DTYPES: DType[] = ['float64', 'float32', 'float16', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'];

/** A .npy file with the given header text (version 1.0) and data. */
function npy(header: string, data = new Uint8Array(0), version = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const lengthSize = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthSize + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + lengthSize);
  out.set(data, 8 + lengthSize + text.length);
  return out;
}

describe('writeNpy / readNpy', () => {
  it('round-trips random tensors of every numpy dtype, 0-d and empty included', () => {
    fc.assert(
      fc.property(tensorArbitrary(NPY_DTYPES), (tensor) => {
        const bytes = writeNpy(tensor);
        expect(parseNpyHeader(bytes).dataOffset % 64).toBe(0);
        expect(sameTensors(new Map([['a', readNpy(bytes)]]), new Map([['a', tensor]]))).toBe(true);
      }),
      { seed: 21, numRuns: 400 },
    );
  });

  it.each(['mlp_fc1_weight_float32', 'mlp_fc1_weight_float64', 'npy_scalar_f8', 'npy_uint8', 'npy_bool', 'npy_int64', 'npy_float16', 'cnn_conv_weight_float32'])(
    'writes %s.npy byte for byte as np.save did',
    (name) => {
      const original = new Uint8Array(readFileSync(`${FIXTURES}${name}.npy`));
      expect(writeNpy(readNpy(original))).toEqual(original);
    },
  );

  it('writes no bfloat16 (numpy has none)', () => {
    expect(() => writeNpy({ dtype: 'bfloat16', shape: [1], data: [1] })).toThrow(UnsupportedDtypeError);
  });
});

describe('readNpy rejects malformed headers with typed errors', () => {
  const f8 = new Uint8Array(16);
  const cases: [string, Uint8Array, new (...args: never[]) => Error, RegExp][] = [
    ['no magic', new Uint8Array(16), MalformedHeaderError, /magic: not a \.npy file/],
    ['too short for the magic', new Uint8Array(3), TruncatedFileError, /magic: file truncated/],
    ['version 4', (() => { const b = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8); b[6] = 4; return b; })(), UnsupportedFeatureError, /version: unsupported: format version 4\.0/],
    ['header length past the end', (() => { const b = npy("{}"); new DataView(b.buffer).setUint16(8, 500, true); return b; })(), TruncatedFileError, /header: file truncated/],
    ['header length above the limit', (() => { const b = npy('{}', undefined, 2); new DataView(b.buffer).setUint32(8, 2_000_000, true); return b; })(), OversizedError, /header length/],
    ['missing key', npy("{'descr': '<f8', 'shape': (2,), }", f8), MalformedHeaderError, /keys must be descr, fortran_order, shape/],
    ['extra key', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", f8), MalformedHeaderError, /keys must be/],
    ['shape not a tuple', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", f8), MalformedHeaderError, /shape: must be a tuple/],
    ['negative dimension', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", f8), MalformedHeaderError, /shape: must hold non-negative integers/],
    ['fortran_order not a bool', npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", f8), MalformedHeaderError, /fortran_order: must be True or False/],
    ['string dtype', npy("{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }", f8), UnsupportedDtypeError, /descr: unsupported dtype <U5/],
    ['complex dtype', npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", f8), UnsupportedDtypeError, /<c16/],
    ['object dtype', npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", f8), UnsupportedDtypeError, /\|O/],
    ['structured dtype', npy("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (2,), }", f8), UnsupportedDtypeError, /structured/],
    ['unterminated string', npy("{'descr': '<f8", f8), MalformedHeaderError, /unterminated string/],
    ['not a literal', npy('__import__("os")', f8), MalformedHeaderError, /unexpected token/],
    ['data too short', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", f8), TruncatedFileError, /data: file truncated: needs/],
    ['bytes after the data', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8), MalformedHeaderError, /data: 8 bytes after the data/],
    ['element count beyond 2^53', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f8), MalformedHeaderError, /shape/],
  ];
  it.each(cases)('%s', (_, bytes, type, message) => {
    let caught: unknown;
    try {
      readNpy(bytes, 'bad.npy');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(/^io: npy: bad\.npy: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('parses Python 2 style longs and double quotes', () => {
    const tensor = readNpy(npy('{"descr": "<f8", "fortran_order": False, "shape": (2L,)}', f8));
    expect([...tensor.shape]).toEqual([2]);
  });
});
