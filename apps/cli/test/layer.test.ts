import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '@descramble/io';
import { secondDerivative, symmetricEigenvalues } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import {
  brockettValue,
  fixture,
  lemma1Optimum,
  maxAbsDifference,
  orthogonalityDefect,
  readMatrixNpy,
  reference,
  referenceMatrix,
  runChild,
  runInProcess,
  schemaErrors,
  temporaryDirectory,
  weightsJson,
} from './helpers.js';

const EPS = Number.EPSILON;

// Independent of the CLI: A = D^T D of linalg's second-derivative operator, B = S S^T with
// S = W X^T from the committed PyTorch weights and inputs, and Lemma 1 from eigenvalues alone.
const weights = referenceMatrix(weightsJson.mlp?.['fc1.weight'] as never);
const inputs = referenceMatrix(reference.mlp.input);
const preactivations = weights.mmul(inputs.transpose());
const b = preactivations.mmul(preactivations.transpose());
const derivative = secondDerivative(12, 'fourier');
const a = derivative.transpose().mmul(derivative);
const optimum = lemma1Optimum(a, b, symmetricEigenvalues);
// Round-off of the optimum: a few d eps ||A|| ||B|| (d = 12).
const tolerance = 100 * 12 * EPS * a.norm() * b.norm();

describe('descramble layer', () => {
  it('writes an orthogonal descrambler whose value is the Lemma 1 optimum (built-in binary, child process)', async () => {
    const out = join(temporaryDirectory('layer'), 'fc1');
    const result = await runChild(['layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', fixture('mlp_input.npy'), '--out', out]);
    expect(result.stderr).toContain('accumulating the Gram matrix of 5 samples');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${out}`);
    const p = readMatrixNpy(join(out, 'descrambler.npy'));
    expect(orthogonalityDefect(p)).toBeLessThan(100 * 12 * EPS);
    expect(Math.abs(brockettValue(a, p, b) - optimum)).toBeLessThan(tolerance);
    const descrambled = readMatrixNpy(join(out, 'descrambled-weights.npy'));
    expect(maxAbsDifference(descrambled, p.mmul(weights))).toBeLessThan(1e-12);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(schemaErrors(report)).toBe('');
    const [layer] = report.layers;
    expect(Math.abs(layer.optimum - optimum)).toBeLessThan(tolerance);
    expect(layer.sampleCount).toBe(5);
    // Five samples for twelve neurons: B has rank 5 and a 7-fold zero eigenvalue.
    expect(layer.gramRank).toBe(5);
    for (const file of report.files) expect(existsSync(join(out, file)), file).toBe(true);
    // Self-contained: the four figures inline, nothing fetched from elsewhere.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('--strategy lbfgs reports iterations, convergence, gap and distance to the exact descrambler', async () => {
    const out = join(temporaryDirectory('layer-lbfgs'), 'fc1');
    const args = ['layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', fixture('mlp_input.npy')];
    const result = await runInProcess([...args, '--strategy', 'lbfgs', '--out', out, '--no-figures', '--json', '-q']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    const [layer] = report.layers;
    expect(layer.strategy).toBe('lbfgs');
    expect(layer.solver).toMatchObject({ kind: 'riemannian-solver', method: 'lbfgs', converged: true });
    expect(layer.solver.iterations).toBeGreaterThan(0);
    const p = readMatrixNpy(join(out, 'descrambler.npy'));
    expect(orthogonalityDefect(p)).toBeLessThan(1e-10);
    // A converged local search on O(d): the value agrees with the independent optimum to the gradient tolerance.
    expect(Math.abs(brockettValue(a, p, b) - optimum) / optimum).toBeLessThan(1e-8);
    expect(Math.abs(layer.value - brockettValue(a, p, b))).toBeLessThan(tolerance);
  });

  it('--strategy warm-start runs the Figure 1 strategy and --group permutation solves the QAP with its gap to Lemma 1', async () => {
    const root = temporaryDirectory('layer-groups');
    const args = ['layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', fixture('mlp_input.npy'), '--no-figures', '--json', '-q'];
    const warm = await runInProcess([...args, '--strategy', 'warm-start', '--out', join(root, 'warm')]);
    expect(warm.code).toBe(0);
    const warmLayer = JSON.parse(warm.stdout).layers[0];
    expect(warmLayer.solver).toMatchObject({ kind: 'figure-1-strategy', method: 'cayley-pgd' });
    expect(warmLayer.gap).toBeGreaterThanOrEqual(-1e-12);

    const permutation = await runInProcess([...args, '--group', 'permutation', '--out', join(root, 'perm')]);
    expect(permutation.code).toBe(0);
    const report = JSON.parse(permutation.stdout);
    expect(schemaErrors(report)).toBe('');
    const layer = report.layers[0];
    expect(layer.group).toBe('permutation');
    const p = readMatrixNpy(join(root, 'perm', 'descrambler.npy'));
    // A permutation matrix: one 1 per row and column.
    for (let i = 0; i < 12; i++) {
      expect(p.getRow(i).filter((x) => x === 1)).toHaveLength(1);
      expect(p.getColumn(i).reduce((s, x) => s + Math.abs(x), 0)).toBe(1);
    }
    const value = brockettValue(a, p, b);
    expect(Math.abs(layer.value - value)).toBeLessThan(tolerance);
    // Permutations are orthogonal: never below the Lemma 1 bound; the gap is measured against it.
    expect(value).toBeGreaterThanOrEqual(optimum - tolerance);
    expect(Math.abs(layer.gap - (value - optimum) / optimum)).toBeLessThan(1e-9);
    expect(layer.solver.lemma1Bound).toBeCloseTo(optimum, 8);
  });

  it('--isotropic uses B = W W^T (Theorem 2) and --next-weights writes W_next P^T', async () => {
    const out = join(temporaryDirectory('layer-isotropic'), 'fc1');
    const result = await runInProcess([
      'layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--isotropic',
      '--next-weights', `${fixture('mlp_float64.safetensors')}:fc2.weight`, '--out', out, '--no-figures', '--json', '-q',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const gram = weights.mmul(weights.transpose());
    const isotropicOptimum = lemma1Optimum(a, gram, symmetricEigenvalues);
    const p = readMatrixNpy(join(out, 'descrambler.npy'));
    const scale = 100 * 12 * EPS * a.norm() * gram.norm();
    expect(Math.abs(brockettValue(a, p, gram) - isotropicOptimum)).toBeLessThan(scale);
    expect(JSON.parse(result.stdout).layers[0].source).toBe('isotropic');
    const tensors = readSafetensors(readFileSync(join(out, 'descrambled.safetensors'))).tensors;
    const next = tensors.get('descrambled.next_weight');
    const fc2 = referenceMatrix(weightsJson.mlp?.['fc2.weight'] as never);
    const expected = fc2.mmul(p.transpose());
    expect(next?.shape).toEqual([8, 12]);
    let worst = 0;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 12; j++) worst = Math.max(worst, Math.abs((next?.data[i * 12 + j] as number) - expected.get(i, j)));
    expect(worst).toBeLessThan(1e-14);
  });
});
