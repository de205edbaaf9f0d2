import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secondDerivative, symmetricEigenvalues } from '@descramble/linalg';
import { readSafetensors } from '@descramble/io';
import { deerDatasetSpec, generateDeerBatch, loadDeerNet } from '@descramble/experiments';
import { createRng } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  brockettValue,
  CLI_ROOT,
  fixture,
  lemma1Optimum,
  orthogonalityDefect,
  readMatrixNpy,
  reference,
  referenceMatrix,
  runInProcess,
  schemaErrors,
  temporaryDirectory,
  weightsJson,
} from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

function smoothness(d: number) {
  const derivative = secondDerivative(d, 'fourier');
  return derivative.transpose().mmul(derivative);
}

/**
 * An ONNX model runs in ONNX Runtime in its own precision: float32 for these PyTorch exports.
 * Against PyTorch's float64 preactivations its Gram (summed in float64) agrees to a few float32
 * ulps of the activations (observed 1.6e-8); 16 eps32 leaves room for other summation orders.
 */
const FLOAT32_FORWARD = 16 * 2 ** -24;

describe('descramble explain', () => {
  const root = temporaryDirectory('explain');
  const out = join(root, 'mlp');

  it('descrambles every hidden layer of the ONNX MLP; values equal Lemma 1 on the PyTorch preactivations', async () => {
    // --bias include: the data S are PyTorch's preactivations z = W x + b.
    const result = await runInProcess(['explain', fixture('mlp.onnx'), '--data', fixture('mlp_input.npy'), '--bias', 'include', '--out', out, '--json']);
    expect(result.stderr).toContain('capturing 2 layers in ONNX Runtime');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    expect(report.layers.map((layer: { name: string }) => layer.name)).toEqual(['fc1', 'fc2']);
    // B = Z^T Z from PyTorch's float64 preactivations z = W x + b (reference.json), A = D^T D.
    for (const [name, z] of [
      ['fc1', reference.mlp.float64.z1],
      ['fc2', reference.mlp.float64.z2],
    ] as const) {
      const s = referenceMatrix(z);
      const b = s.transpose().mmul(s);
      const a = smoothness(b.rows);
      const optimum = lemma1Optimum(a, b, symmetricEigenvalues);
      const p = readMatrixNpy(join(out, name, 'descrambler.npy'));
      expect(orthogonalityDefect(p)).toBeLessThan(1e-13);
      expect(Math.abs(brockettValue(a, p, b) - optimum) / optimum).toBeLessThan(FLOAT32_FORWARD);
      const layer = report.layers.find((l: { name: string }) => l.name === name);
      expect(Math.abs(layer.optimum - optimum) / optimum).toBeLessThan(FLOAT32_FORWARD);
      expect(layer.sampleCount).toBe(5);
      expect(layer.bias).toBe('include');
    }
    expect(report.bias).toBe('include');
    const tensors = readSafetensors(readFileSync(join(out, 'descrambled.safetensors'))).tensors;
    expect([...tensors.keys()].sort()).toEqual(['fc1.descrambled_weight', 'fc1.descrambler', 'fc2.descrambled_weight', 'fc2.descrambler']);
    for (const file of report.files) expect(existsSync(join(out, file)), file).toBe(true);
  });

  it('by default (--bias exclude) the data are S = W x, without the bias, for every command that builds S', async () => {
    const w = referenceMatrix(weightsJson.mlp?.['fc1.weight'] as never);
    const s = w.mmul(referenceMatrix(reference.mlp.input).transpose());
    const b = s.mmul(s.transpose());
    const optimum = lemma1Optimum(smoothness(b.rows), b, symmetricEigenvalues);
    const explained = await runInProcess(['explain', fixture('mlp.onnx'), '--data', fixture('mlp_input.npy'), '--out', join(root, 'mlp-exclude'), '--json', '-q', '--no-figures']);
    expect(explained.code, explained.stderr).toBe(0);
    const fc1 = JSON.parse(explained.stdout).layers[0];
    expect(fc1.bias).toBe('exclude');
    expect(Math.abs(fc1.optimum - optimum) / optimum).toBeLessThan(FLOAT32_FORWARD);
    const layer = await runInProcess(['layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', fixture('mlp_input.npy'), '--out', join(root, 'layer-exclude'), '--json', '-q', '--no-figures']);
    expect(layer.code, layer.stderr).toBe(0);
    expect(Math.abs(JSON.parse(layer.stdout).layers[0].optimum - optimum) / optimum).toBeLessThan(1e-12);
    // --bias include on `layer` finds fc1.bias beside fc1.weight and agrees with explain.
    const included = await runInProcess(['layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', fixture('mlp_input.npy'), '--bias', 'include', '--out', join(root, 'layer-include'), '--json', '-q', '--no-figures']);
    expect(included.code, included.stderr).toBe(0);
    const z = referenceMatrix(reference.mlp.float64.z1);
    const bz = z.transpose().mmul(z);
    const withBias = lemma1Optimum(smoothness(bz.rows), bz, symmetricEigenvalues);
    expect(Math.abs(JSON.parse(included.stdout).layers[0].optimum - withBias) / withBias).toBeLessThan(1e-12);
  });

  it('reads safetensors weights with an architecture spec and finds the same descramblers as from ONNX', async () => {
    const spec = join(root, 'mlp-architecture.json');
    writeFileSync(
      spec,
      JSON.stringify({ inputShape: [16], layers: [{ type: 'dense', name: 'fc1' }, { type: 'tanh' }, { type: 'dense', name: 'fc2' }, { type: 'tanh' }, { type: 'dense', name: 'fc3' }] }),
    );
    const result = await runInProcess(['explain', fixture('mlp_float64.safetensors'), '--architecture', spec, '--data', fixture('mlp_input.npy'), '--bias', 'include', '--out', join(root, 'mlp-spec'), '--json', '-q', '--no-figures']);
    expect(result.code, result.stderr).toBe(0);
    const fromSpec = JSON.parse(result.stdout).layers;
    const fromOnnx = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).layers;
    // The float64 file holds the float32 weights exactly; the Float64 executor runs them in float64,
    // ONNX Runtime the ONNX file in float32: the same optimum to float32 roundoff of the activations.
    for (let l = 0; l < 2; l++) expect(Math.abs(fromSpec[l].optimum - fromOnnx[l].optimum) / fromOnnx[l].optimum).toBeLessThan(FLOAT32_FORWARD);
  });

  it('descrambles the channels of the convolution of the ONNX CNN (tensor-shaped samples)', async () => {
    const cnnOut = join(root, 'cnn');
    const result = await runInProcess(['explain', fixture('cnn.onnx'), '--data', fixture('cnn_input.npy'), '--bias', 'include', '--out', cnnOut, '--json', '-q', '--no-figures']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    const [layer] = report.layers;
    expect(layer.name).toBe('conv');
    // Every position of every sample is one sample of the 6 channels: 4 x 16.
    expect(layer.sampleCount).toBe(64);
    const conv = reference.cnn.float64.conv; // [4, 6, 16]
    const b = referenceMatrix({ shape: [6, 6], data: new Array(36).fill(0) });
    for (let n = 0; n < 4; n++) {
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) {
          let sum = 0;
          for (let t = 0; t < 16; t++) sum += (conv.data[n * 96 + i * 16 + t] as number) * (conv.data[n * 96 + j * 16 + t] as number);
          b.set(i, j, b.get(i, j) + sum);
        }
      }
    }
    const optimum = lemma1Optimum(smoothness(6), b, symmetricEigenvalues);
    const p = readMatrixNpy(join(cnnOut, 'conv', 'descrambler.npy'));
    expect(Math.abs(brockettValue(smoothness(6), p, b) - optimum) / optimum).toBeLessThan(1e-12);
  });

  const deerOut = join(root, 'deernet');

  it('with no arguments descrambles the bundled DEERNet on generated traces; value equals Lemma 1', async () => {
    const started = performance.now();
    const result = await runInProcess(['explain', '--out', deerOut, '--json']);
    const seconds = (performance.now() - started) / 1000;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('generating 2000 DEER traces (seed 2021)');
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    const [layer] = report.layers;
    expect(layer.weights.shape).toEqual([80, 256]);
    expect(layer.sampleCount).toBe(2000);
    // Independently: the same traces from the experiments' generator, S = W1 X^T (the default
    // --bias exclude), B = S S^T.
    expect(layer.bias).toBe('exclude');
    const net = loadDeerNet();
    const spec = deerDatasetSpec({ timePoints: 256, distancePoints: net.card.data.distancePoints, maxTime: net.card.data.maxTimeMicroseconds });
    const batch = generateDeerBatch(spec, createRng(2021), 2000);
    const x = new Matrix(2000, 256);
    for (let n = 0; n < 2000; n++) for (let t = 0; t < 256; t++) x.set(n, t, batch.inputs[n * 256 + t] as number);
    const s = net.firstWeights.mmul(x.transpose());
    const b = s.mmul(s.transpose());
    const a = smoothness(80);
    const optimum = lemma1Optimum(a, b, symmetricEigenvalues);
    const p = readMatrixNpy(join(deerOut, 'fc1', 'descrambler.npy'));
    expect(orthogonalityDefect(p)).toBeLessThan(1e-12);
    // Round-off of tr(A P B P^T) for an optimal P computed in float64: d eps ||A||_F ||B||_F
    // (A's eigenvalues span 0 .. 2.6e6 and B's many decades, so the optimum is far below the norms).
    const tolerance = 80 * Number.EPSILON * a.norm() * b.norm();
    expect(Math.abs(brockettValue(a, p, b) - optimum)).toBeLessThan(tolerance);
    expect(Math.abs(layer.optimum - optimum)).toBeLessThan(tolerance);
    // ... and a scrambled (identity) descrambler is far outside it: the check can fail.
    expect(brockettValue(a, Matrix.eye(80), b) - optimum).toBeGreaterThan(1000 * tolerance);
    process.stdout.write(`explain (bundled DEERNet, 2000 traces, in-process): ${seconds.toFixed(1)} s\n`);
  });

  it('reproduce runs one of the paper\'s experiments and reports its checks', async () => {
    const reproduceOut = join(root, 'reproduce');
    const result = await runInProcess(['reproduce', 'isotropic', '--out', reproduceOut, '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    expect(report.reproduction.experiments.map((e: { name: string }) => e.name)).toEqual(['isotropic']);
    expect(report.reproduction.checks).toBeGreaterThan(0);
    for (const file of report.files) expect(existsSync(join(reproduceOut, file)), file).toBe(true);
    expect(readFileSync(join(reproduceOut, 'reproduction.md'), 'utf8')).toContain('| Experiment | Claim | Paper | Measured | Holds |');
  });

  it('report.html renders in headless Chromium (screenshot)', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run apt-get install -y chromium`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url());
      });
      await page.goto(`file://${join(deerOut, 'report.html')}`);
      expect(await page.locator('h1', { hasText: 'the bundled DEERNet' }).count()).toBe(1);
      expect(await page.locator('h2', { hasText: 'Layer fc1' }).count()).toBe(1);
      // Four figures of the one hidden layer, each drawn (non-empty bounding box).
      const boxes = await page.locator('svg').evaluateAll((nodes) => nodes.map((node) => node.getBoundingClientRect().width * node.getBoundingClientRect().height));
      expect(boxes.length).toBeGreaterThanOrEqual(4);
      for (const area of boxes) expect(area).toBeGreaterThan(10_000);
      // Kept with the test results (CI artifact) for a human look.
      mkdirSync(join(CLI_ROOT, 'test-results'), { recursive: true });
      const screenshot = join(CLI_ROOT, 'test-results', 'explain-deernet-report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(20_000);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
