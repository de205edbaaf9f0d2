import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileAccessError, MemoryBudgetError } from './errors.js';
import { readPytorchFile, readTensors } from './node.js';
import { readPytorchCheckpoint } from './pytorch.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/pytorch-checkpoints/', import.meta.url));

describe('readPytorchFile', () => {
  it('reads a checkpoint from disk as readPytorchCheckpoint reads its bytes', async () => {
    const path = `${FIXTURES}nested_checkpoint.pt`;
    const fromFile = await readPytorchFile(path);
    const fromBytes = readPytorchCheckpoint(new Uint8Array(readFileSync(path)), path);
    expect(fromFile).toEqual(fromBytes);
    expect(fromFile.metadata.get('epoch')).toBe(3);
  });

  it('counts the file bytes in the budget with the tensors', async () => {
    const path = `${FIXTURES}mlp_float32.pt`;
    const size = readFileSync(path).length;
    const decoded = 8 * (5 * 6 + 5 + 3 * 5 + 3);
    expect((await readPytorchFile(path, { memoryBudget: size + decoded })).tensors.size).toBe(4);
    await expect(readPytorchFile(path, { memoryBudget: size + decoded - 1 })).rejects.toBeInstanceOf(MemoryBudgetError);
  });

  it('names a missing file', async () => {
    await expect(readPytorchFile(`${FIXTURES}missing.pt`)).rejects.toMatchObject({ code: 'ENOENT', format: 'pytorch' });
    await expect(readPytorchFile(FIXTURES)).rejects.toBeInstanceOf(FileAccessError);
  });

  it('plugs .pt files into readTensors on a path', async () => {
    const tensors = await readTensors({ path: `${FIXTURES}mlp_legacy.pt` });
    expect([...tensors.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });
});
