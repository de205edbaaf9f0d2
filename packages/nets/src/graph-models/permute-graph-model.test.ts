import { readFileSync } from 'node:fs';
import { readNpz } from '@descramble/io';
import { quadraticAssignmentValue, smoothnessMatrix } from '@descramble/permutation';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { handBuiltModel, inputFeed, node, REAL_MODELS, realModel, realSamples, smoothTensor } from '../../test/real-models.js';
import { InvalidArgumentError } from '../errors.js';
import { compareGraphOutputs } from '../graph/compare-outputs.js';
import { layerWeightMatrix } from '../graph/graph-layers.js';
import { groupGram, groupPlacements } from '../graph/group-gram.js';
import { readOnnx } from '@descramble/io';
import { loadOnnxRuntime } from '../runtime/onnx-runtime.js';
import { permuteGraphModel, groupWeightRows, type GraphModelStage } from './permute-graph-model.js';

const EPS32 = 2 ** -24;

/** PyTorch's Gram of every layer of a.onnx on inputs.npy (bias excluded), from the fixture. */
function pytorchGrams(name: string): Map<string, Matrix> {
  const file = new URL(`../../../../fixtures/real-models/${name}/grams-a.npz`, import.meta.url);
  const grams = new Map<string, Matrix>();
  for (const [layer, tensor] of readNpz(new Uint8Array(readFileSync(file)))) {
    const n = tensor.shape[0] as number;
    grams.set(layer, Matrix.from1DArray(n, n, Array.from(tensor.data as Float64Array)));
  }
  return grams;
}

/** Sum of squares of each row: unchanged when the columns are permuted (by the groups a layer reads). */
function rowNorms(matrix: { shape: readonly number[]; data: ArrayLike<number> }): number[] {
  const [rows, columns] = matrix.shape as [number, number];
  return Array.from({ length: rows }, (_, i) => {
    let sum = 0;
    for (let j = 0; j < columns; j++) sum += (matrix.data[i * columns + j] as number) ** 2;
    return sum;
  });
}

describe('permuteGraphModel on the real PyTorch networks (fixtures/real-models)', () => {
  for (const name of REAL_MODELS) {
    it(`${name}: smoothest-first groups from the data, the values PyTorch's Grams give, the same function`, async () => {
      const runtime = await loadOnnxRuntime();
      const fixture = realModel(name);
      const stages: GraphModelStage['stage'][] = [];
      const result = await permuteGraphModel(runtime, fixture.a, { samples: realSamples(fixture, name, 23), seed: 3, onStage: (stage) => stages.push(stage.stage) });
      expect(stages).toEqual(['channel-groups', 'grams', 'solve', 'verify']);
      const { analysis, groups, blockedGroups } = result;
      expect(groups.length).toBeGreaterThan(0);
      expect(groups.map((g) => g.group)).toEqual(analysis.groups.filter((g) => g.permutable).map((g) => g.id));
      expect(blockedGroups.map((g) => g.id)).toEqual(analysis.groups.filter((g) => !g.permutable).map((g) => g.id));
      const reference = pytorchGrams(name);
      const permuted = result.model!;
      for (const record of groups) {
        const group = analysis.groups.find((g) => g.id === record.group)!;
        expect([...record.permutation].sort((x, y) => x - y)).toEqual(Array.from({ length: record.channels }, (_, i) => i));
        expect(record.gramSource).toBe('data');
        expect(record.sampleCount! % 64).toBe(0);
        // the smoothness claimed is tr(A P B P^T) with B the group's Gram from PyTorch's layer
        // Grams: those agree with ONNX Runtime's to 16 eps32 relative (Frobenius), and the value
        // is linear in B, so it moves by at most ||A||_F ||B - B_ref||_F
        const a = smoothnessMatrix(record.channels, 'fourier');
        const b = groupGram(group, reference);
        const tolerance = 4 * 16 * EPS32 * a.norm('frobenius') * b.norm('frobenius');
        expect(Math.abs(record.value - quadraticAssignmentValue(a, b, record.permutation))).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(record.identityValue - quadraticAssignmentValue(a, b, Int32Array.from({ length: record.channels }, (_, i) => i)))).toBeLessThanOrEqual(tolerance);
        expect(record.lowerBound).toBeLessThanOrEqual(record.value * (1 + 1e-9) + 1e-12);
        // every layer writing the group has its rows in the new order (columns moved by the groups it reads)
        for (const { layer, offset } of groupPlacements(group)) {
          const graphLayer = analysis.layers.find((l) => l.name === layer)!;
          const before = rowNorms(layerWeightMatrix(fixture.a, graphLayer));
          const after = rowNorms(layerWeightMatrix(permuted, graphLayer));
          record.permutation.forEach((old, i) => {
            expect(Math.abs((after[offset + i] as number) - (before[offset + old] as number))).toBeLessThanOrEqual(1e-12 * (before[offset + old] as number));
          });
        }
      }
      // what is returned is what was checked, and it computes a's function on every sample
      expect(result.sameFunction).toBe(true);
      const verification = result.verification!;
      expect(verification.inputs).toBe(`the first 64 samples of ${name}`);
      expect(verification.onnx.maxRelativeDifference).toBeLessThanOrEqual(verification.tolerance);
      const comparison = await compareGraphOutputs(runtime, fixture.a, readOnnx(result.bytes!), inputFeed(runtime, fixture));
      expect(comparison.maxRelativeDifference).toBeLessThan(1e-5);
    });
  }

  it('without data: W W^T per group (isotropic inputs) and 64 seeded normal inputs for the check', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    const result = await permuteGraphModel(runtime, fixture.a, { operator: 'dirichlet', seed: 5 });
    expect(result.sameFunction).toBe(true);
    expect(result.verification!.inputs).toBe('64 standard normal inputs (seed 5)');
    for (const record of result.groups) {
      const group = result.analysis.groups.find((g) => g.id === record.group)!;
      expect(record.gramSource).toBe('isotropic');
      expect(record.sampleCount).toBeNull();
      const grams = new Map(
        groupPlacements(group).map(({ layer }) => {
          const w = layerWeightMatrix(fixture.a, result.analysis.layers.find((l) => l.name === layer)!);
          const m = new Matrix(w.shape[0]!, w.shape[1]!);
          for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) m.set(i, j, w.data[i * m.columns + j]!);
          return [layer, m.mmul(m.transpose())] as const;
        }),
      );
      const a = smoothnessMatrix(record.channels, 'dirichlet');
      const b = groupGram(group, grams);
      expect(Math.abs(record.value - quadraticAssignmentValue(a, b, record.permutation))).toBeLessThanOrEqual(1e-12 * a.norm('frobenius') * b.norm('frobenius'));
      // the figure rows: as trained and in the new order
      const rows = groupWeightRows(fixture.a, result.analysis, group, record.permutation)!;
      record.permutation.forEach((old, i) => {
        expect(rows.permuted.getRow(i)).toEqual(rows.trained.getRow(old));
      });
    }
  });

  it('token ids without data: refused before anything is written (normal values cannot stand for ids)', async () => {
    const runtime = await loadOnnxRuntime();
    const model = readOnnx(new Uint8Array(readFileSync(new URL('../../../../fixtures/token-models/text-transformer/a.onnx', import.meta.url))));
    const error = await permuteGraphModel(runtime, model).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('samples');
    expect((error as Error).message).toMatch(/int64 inputs \(token ids, indices\)/);
  });

  it('a graph whose only group reaches a graph output: nothing permuted, the group named with its reason', async () => {
    const runtime = await loadOnnxRuntime();
    const built = handBuiltModel([node('fc', 'Gemm', ['input', 'fc.weight'], ['output'], { transB: { type: 'int', value: 1 } })], [['fc.weight', smoothTensor([3, 4], 1)]], [2, 4]);
    const model = { ...built, graph: { ...built.graph, inputs: [{ name: 'input', dtype: 'float32' as const, shape: ['batch', 4] }] } };
    const result = await permuteGraphModel(runtime, model);
    expect(result.model).toBeNull();
    expect(result.bytes).toBeNull();
    expect(result.groups).toEqual([]);
    expect(result.blockedGroups).toHaveLength(1);
    expect(result.blockedGroups[0]!.layers).toEqual(['fc.out']);
    expect(result.blockedGroups[0]!.reason).toMatch(/output/);
  });
});
