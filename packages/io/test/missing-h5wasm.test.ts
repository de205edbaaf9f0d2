import { describe, expect, it, vi } from 'vitest';
import { IoError, MalformedHeaderError, MissingDependencyError, readHdf5, readMat, readTensors } from '../src/index.js';
import { fixture } from './helpers.js';

// h5wasm is an optional peer dependency: simulate an install without it (the import fails as
// it does when the package is absent).
vi.mock('h5wasm', () => {
  throw Object.assign(new Error("Cannot find package 'h5wasm'"), { code: 'ERR_MODULE_NOT_FOUND' });
});

describe('reading HDF5 without h5wasm installed', () => {
  it('readHdf5 throws MissingDependencyError naming the file and the install command', async () => {
    const error = await readHdf5(fixture('mlp_keras.h5'), 'mlp_keras.h5').catch((e: unknown) => e);
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(IoError.isInstance(error)).toBe(true);
    const missing = error as MissingDependencyError;
    expect(missing.kind).toBe('MissingDependency');
    expect(missing.dependency).toBe('h5wasm');
    expect([missing.format, missing.file]).toEqual(['hdf5', 'mlp_keras.h5']);
    expect(missing.message).toMatch(/^io: hdf5: mlp_keras\.h5: h5wasm: .*`npm install h5wasm`$/);
    expect(missing.cause).toBeInstanceOf(Error);
  });

  it('a MATLAB v7.3 file through readMat and readTensors fails the same way, as a .mat', async () => {
    for (const read of [() => readMat(fixture('mlp_v73.mat'), 'mlp_v73.mat'), () => readTensors({ bytes: fixture('mlp_v73.mat'), name: 'mlp_v73.mat' })]) {
      const error = await read().catch((e: unknown) => e);
      expect(MissingDependencyError.isInstance(error)).toBe(true);
      expect((error as MissingDependencyError).message).toMatch(/^io: mat: mlp_v73\.mat: h5wasm: .*npm install h5wasm/);
    }
  });

  it('still tells a non-HDF5 file apart first, and reads a v5 .mat (no HDF5) as before', async () => {
    await expect(readHdf5(new Uint8Array(64), 'zeros.h5')).rejects.toSatisfy((e: unknown) => MalformedHeaderError.isInstance(e));
    const tensors = await readTensors({ bytes: fixture('mlp_v5.mat'), name: 'mlp_v5.mat' });
    expect(tensors.size).toBeGreaterThan(0);
  });
});
