/**
 * Every io error class, table-driven: built from its options object, it has its name, kind,
 * message and detail; `isInstance` holds for it (and for its revived twin from another thread)
 * and fails for a sibling class.
 */
import { DescrambleError, markErrorClass, reviveError, scopedErrorBase, serializeError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import {
  DuplicateKeyError,
  ExternalDataError,
  FileAccessError,
  FileChangedError,
  InvalidModelError,
  InvalidTensorError,
  IoError,
  type IoFailure,
  MalformedHeaderError,
  MemoryBudgetError,
  MissingDependencyError,
  OversizedError,
  ReaderUsageError,
  TruncatedFileError,
  UnknownFormatError,
  UnsafePickleError,
  UnsupportedDtypeError,
  UnsupportedFeatureError,
} from './index.js';

interface ErrorClass {
  readonly name: string;
  isInstance(value: unknown): boolean;
}

interface Case {
  readonly make: (cause?: unknown) => IoFailure;
  readonly errorClass: ErrorClass;
  readonly kind: IoFailure['kind'];
  readonly message: string;
  readonly detail: Record<string, unknown>;
  readonly sibling: ErrorClass;
}

const cases: readonly Case[] = [
  {
    make: (cause) => new TruncatedFileError({ format: 'npy', file: 'w.npy', field: 'data', expectedBytes: 80, actualBytes: 40, cause }),
    errorClass: TruncatedFileError,
    kind: 'TruncatedFile',
    message: 'io: npy: w.npy: data: file truncated: needs 80 bytes, has 40',
    detail: { file: 'w.npy', field: 'data', expectedBytes: 80, actualBytes: 40 },
    sibling: OversizedError,
  },
  {
    make: (cause) => new MalformedHeaderError({ format: 'safetensors', file: 'm.safetensors', field: 'header', reason: 'not a JSON object', cause }),
    errorClass: MalformedHeaderError,
    kind: 'MalformedHeader',
    message: 'io: safetensors: m.safetensors: header: not a JSON object',
    detail: { file: 'm.safetensors', field: 'header', reason: 'not a JSON object' },
    sibling: InvalidTensorError,
  },
  {
    make: (cause) => new OversizedError({ format: 'npy', file: 'w.npy', field: 'header length', limit: 1048576, actual: 2000000, cause }),
    errorClass: OversizedError,
    kind: 'Oversized',
    message: 'io: npy: w.npy: header length: size 2000000 exceeds the limit 1048576',
    detail: { file: 'w.npy', field: 'header length', limit: 1048576, actual: 2000000 },
    sibling: MemoryBudgetError,
  },
  {
    make: (cause) => new UnsupportedDtypeError({ format: 'npy', file: 'o.npy', field: 'descr', dtype: '|O', cause }),
    errorClass: UnsupportedDtypeError,
    kind: 'UnsupportedDtype',
    message: 'io: npy: o.npy: descr: unsupported dtype |O',
    detail: { file: 'o.npy', field: 'descr', dtype: '|O' },
    sibling: UnsupportedFeatureError,
  },
  {
    make: (cause) => new UnsupportedFeatureError({ format: 'mat', file: 's.mat', field: 'A', feature: 'sparse array', cause }),
    errorClass: UnsupportedFeatureError,
    kind: 'UnsupportedFeature',
    message: 'io: mat: s.mat: A: unsupported: sparse array',
    detail: { file: 's.mat', field: 'A', feature: 'sparse array' },
    sibling: UnsupportedDtypeError,
  },
  {
    make: (cause) => new UnknownFormatError({ file: 'notes.txt', cause }),
    errorClass: UnknownFormatError,
    kind: 'UnknownFormat',
    message: 'io: unknown: notes.txt: magic bytes: not a safetensors, npy, npz, ONNX, HDF5 or MATLAB file, nor a PyTorch checkpoint',
    detail: { file: 'notes.txt', field: 'magic bytes' },
    sibling: MalformedHeaderError,
  },
  {
    make: (cause) => new ExternalDataError({ file: 'm.onnx', field: 'fc1.weight.external_data.location', location: '../w.bin', reason: 'not provided', cause }),
    errorClass: ExternalDataError,
    kind: 'ExternalData',
    message: 'io: onnx: m.onnx: fc1.weight.external_data.location: external data "../w.bin": not provided',
    detail: { file: 'm.onnx', field: 'fc1.weight.external_data.location', location: '../w.bin', reason: 'not provided' },
    sibling: FileAccessError,
  },
  {
    make: (cause) => new InvalidTensorError({ format: 'safetensors', file: '<bytes>', field: 'w.data', reason: 'shape [2, 2] needs 4 elements, data has 3', cause }),
    errorClass: InvalidTensorError,
    kind: 'InvalidTensor',
    message: 'io: safetensors: <bytes>: w.data: shape [2, 2] needs 4 elements, data has 3',
    detail: { file: '<bytes>', field: 'w.data', reason: 'shape [2, 2] needs 4 elements, data has 3' },
    sibling: InvalidModelError,
  },
  {
    make: (cause) => new InvalidModelError({ field: 'graph.output', reason: '"y" is produced by no node', cause }),
    errorClass: InvalidModelError,
    kind: 'InvalidModel',
    message: 'io: onnx: <model>: graph.output: "y" is produced by no node',
    detail: { file: '<model>', field: 'graph.output', reason: '"y" is produced by no node' },
    sibling: InvalidTensorError,
  },
  {
    make: (cause) => new FileAccessError({ format: 'npy', file: '/no/such.npy', code: 'ENOENT', cause }),
    errorClass: FileAccessError,
    kind: 'FileAccess',
    message: 'io: npy: /no/such.npy: file: cannot be read (ENOENT)',
    detail: { file: '/no/such.npy', field: 'file', code: 'ENOENT' },
    sibling: FileChangedError,
  },
  {
    make: (cause) => new MemoryBudgetError({ format: 'npz', file: 'b.npz', what: 'w.npy inflated', needed: 4096, budget: 1024, cause }),
    errorClass: MemoryBudgetError,
    kind: 'MemoryBudget',
    message:
      'io: npz: b.npz: w.npy inflated: needs 4096 bytes of memory, beyond the memory budget of 1024 bytes (raise it with the memoryBudget option if the file is trusted)',
    detail: { file: 'b.npz', field: 'w.npy inflated', what: 'w.npy inflated', needed: 4096, budget: 1024 },
    sibling: OversizedError,
  },
  {
    make: (cause) => new DuplicateKeyError({ format: 'safetensors', file: 'd.safetensors', field: 'header', key: 'w', cause }),
    errorClass: DuplicateKeyError,
    kind: 'DuplicateKey',
    message: 'io: safetensors: d.safetensors: header: duplicate key "w"',
    detail: { file: 'd.safetensors', field: 'header', key: 'w' },
    sibling: MalformedHeaderError,
  },
  {
    make: (cause) => new FileChangedError({ format: 'npy', file: 's.npy', change: 'size 800 -> 400 bytes', cause }),
    errorClass: FileChangedError,
    kind: 'FileChanged',
    message: 'io: npy: s.npy: file: changed while being read (size 800 -> 400 bytes)',
    detail: { file: 's.npy', field: 'file', change: 'size 800 -> 400 bytes' },
    sibling: FileAccessError,
  },
  {
    make: (cause) => new ReaderUsageError({ format: 'npy', file: 's.npy', field: 'rowsPerBlock', reason: 'must be a positive integer, got 0', cause }),
    errorClass: ReaderUsageError,
    kind: 'ReaderUsage',
    message: 'io: npy: s.npy: rowsPerBlock: must be a positive integer, got 0',
    detail: { file: 's.npy', field: 'rowsPerBlock', reason: 'must be a positive integer, got 0' },
    sibling: InvalidTensorError,
  },
  {
    make: (cause) => new UnsafePickleError({ file: 'm.pt', field: 'archive/data.pkl at byte 120', found: 'global posix.system', why: 'not a tensor rebuilder', cause }),
    errorClass: UnsafePickleError,
    kind: 'UnsafePickle',
    message:
      'io: pytorch: m.pt: archive/data.pkl at byte 120: refused global posix.system (not a tensor rebuilder); nothing was executed: this reader loads only tensors, dicts, lists and numbers. ' +
      'Save the weights alone with torch.save(model.state_dict(), path), or export them to safetensors (safetensors.torch.save_file(model.state_dict(), path)) or ONNX (torch.onnx.export)',
    detail: { file: 'm.pt', field: 'archive/data.pkl at byte 120', found: 'global posix.system' },
    sibling: MalformedHeaderError,
  },
  {
    make: (cause) => new MissingDependencyError({ format: 'hdf5', file: 'k.h5', dependency: 'h5wasm', purpose: 'reading HDF5 files', cause }),
    errorClass: MissingDependencyError,
    kind: 'MissingDependency',
    message: 'io: hdf5: k.h5: h5wasm: reading HDF5 files needs the optional peer dependency h5wasm, which cannot be loaded; install it with `npm install h5wasm`',
    detail: { file: 'k.h5', field: 'h5wasm', dependency: 'h5wasm' },
    sibling: FileAccessError,
  },
];

describe('io errors', () => {
  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s: options, name, kind, message, detail, isInstance', (_, c) => {
    const error = c.make();
    expect(error.name).toBe(c.errorClass.name);
    expect(error.kind).toBe(c.kind);
    expect(error.message).toBe(c.message);
    expect(error.summary).toBe(c.message.slice(`io: ${error.format}: `.length));
    expect(error.detail).toEqual(c.detail);
    expect(error.scope).toBe('io');
    expect(error.cause).toBeUndefined();
    expect(c.errorClass.isInstance(error)).toBe(true);
    expect(c.sibling.isInstance(error)).toBe(false);
    expect(IoError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
    // A twin from another thread (or another installed copy) passes the same tests.
    const revived = reviveError(serializeError(error)!);
    expect(revived.message).toBe(c.message);
    expect(c.errorClass.isInstance(revived)).toBe(true);
    expect(c.sibling.isInstance(revived)).toBe(false);
  });

  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s keeps its cause', (_, c) => {
    const cause = new Error('underlying');
    const error = c.make(cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(c.message);
  });

  it("MissingDependencyError.isInstance holds for io's class only, not for figures' class of the same name", () => {
    const FiguresError = scopedErrorBase('figures', 'FiguresError');
    class FiguresMissingDependencyError extends FiguresError {
      static {
        markErrorClass(FiguresMissingDependencyError, 'MissingDependencyError');
      }
    }
    const figures = new FiguresMissingDependencyError({ operation: 'renderPng', reason: 'no resvg' });
    expect(MissingDependencyError.isInstance(figures)).toBe(false);
    expect(MissingDependencyError.isInstance(reviveError(serializeError(figures)!))).toBe(false);
  });

  it('covers every member of IoFailure once, each with its own kind', () => {
    const kinds = cases.map((c) => c.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    // Exhaustive over the union: a kind added to IoFailure without a case here fails to compile.
    const all: Record<IoFailure['kind'], true> = {
      TruncatedFile: true,
      MalformedHeader: true,
      Oversized: true,
      UnsupportedDtype: true,
      UnsupportedFeature: true,
      UnknownFormat: true,
      ExternalData: true,
      InvalidTensor: true,
      InvalidModel: true,
      FileAccess: true,
      MemoryBudget: true,
      DuplicateKey: true,
      FileChanged: true,
      ReaderUsage: true,
      UnsafePickle: true,
      MissingDependency: true,
    };
    expect([...kinds].sort()).toEqual(Object.keys(all).sort());
  });
});
