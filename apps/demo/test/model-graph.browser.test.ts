/**
 * "Your model" with a real ONNX graph, in Debian's Chromium against the built site: the layers
 * are listed as soon as the file is dropped (without ONNX Runtime), the samples are checked
 * against the graph input, one pass of ONNX Runtime Web (served by the site itself) captures
 * every layer's Gram, equal to PyTorch's, and every hidden layer is descrambled; output layers
 * are flagged; a MatMul graph is descrambled along its units; nothing leaves 127.0.0.1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OnnxModel, readNpz, readOnnx, writeNpy, writeOnnx } from '@descramble/io';
import { graphLayers, layerWeightMatrix } from '@descramble/nets';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasPixels, type Harness, openHarness, SCREENSHOTS } from './browser.js';

const REAL = new URL('../../../fixtures/real-models/', import.meta.url).pathname;

interface ReferenceLayer {
  readonly module: string;
  readonly op: string;
  readonly units: number;
  readonly fanIn: number;
  readonly output: boolean;
}

const reference = (name: string): { layers: ReferenceLayer[]; inputShape: number[] } => JSON.parse(readFileSync(join(REAL, name, 'reference.json'), 'utf8'));

let harness: Harness;
let page: Page;
/** Every request the browser made, in order. */
const requests: string[] = [];

beforeAll(async () => {
  harness = await openHarness();
  page = harness.page;
  harness.context.on('request', (request) => requests.push(request.url()));
});

afterAll(async () => {
  await harness?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const onnxRuntimeRequests = () => requests.filter((url) => /\/assets\/ort[-.]/.test(url));

/** Drops files on the page body (not on the drop zone): a DataTransfer built in the page. */
async function drop(files: readonly { name: string; bytes: Uint8Array }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
    const target = document.querySelector('footer') ?? document.body;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

const fixture = (model: string, file: string) => ({ name: file, bytes: new Uint8Array(readFileSync(join(REAL, model, file))) });

interface ListedLayer {
  name: string;
  op: string;
  status: string;
  output: boolean;
  text: string;
}

async function listedLayers(): Promise<ListedLayer[]> {
  return page.locator('#graph-layers li').evaluateAll((items) =>
    items.map((item) => {
      const e = item as HTMLElement;
      return { name: e.dataset.layer ?? '', op: e.dataset.op ?? '', status: e.dataset.status ?? '', output: e.hasAttribute('data-output'), text: e.textContent ?? '' };
    }),
  );
}

function relativeFrobenius(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    difference += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return Math.sqrt(difference / norm);
}

/** The Grams the worker captured (the page's debug hook), as plain arrays. */
async function pageGrams(): Promise<Map<string, { dimension: number; data: number[] }>> {
  const grams = await page.evaluate(async () => {
    const payload = await window.__descrambleGrams!();
    return payload.grams.map((g) => ({ name: g.name, dimension: g.gram.rows, data: Array.from(g.gram.data) }));
  });
  return new Map(grams.map((g) => [g.name, g] as const));
}

/** Every Gram equals PyTorch's: both run the float32 forward pass (in different summation orders) and sum in float64. */
async function expectGramsEqualPyTorch(model: string, hidden: readonly string[]): Promise<void> {
  const expected = readNpz(readFileSync(join(REAL, model, 'grams-a.npz')));
  const grams = await pageGrams();
  for (const name of hidden) {
    const gram = grams.get(name);
    const want = expected.get(name);
    expect(gram, name).toBeDefined();
    expect(want, name).toBeDefined();
    expect(gram!.dimension, name).toBe(want!.shape[0]);
    // The activations agree to a few float32 ulps per layer (eps32 = 2^-24 relative): the same
    // bound the nets package holds ONNX Runtime (Node) to on these fixtures.
    expect(relativeFrobenius(gram!.data, want!.data as Float64Array), name).toBeLessThan(16 * 2 ** -24);
  }
}

async function expectLayerFiguresDrawn(index: number): Promise<void> {
  for (const which of ['raw', 'descrambled']) {
    const pixels = await canvasPixels(page, `canvas[data-figure="graph-${index}-${which}"]`);
    expect(pixels.width).toBeGreaterThan(100);
    expect(pixels.distinct, `layer ${index} ${which}`).toBeGreaterThan(20);
  }
}

async function download(selector: string): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return new Uint8Array(readFileSync(await file.path()));
}

interface ShownGroup {
  writers: string[];
  permuted: boolean;
  permutation: number[] | null;
}

async function shownGroups(): Promise<ShownGroup[]> {
  return page.locator('#graph-groups li').evaluateAll((items) =>
    items.map((item) => {
      const e = item as HTMLElement;
      return {
        writers: (e.dataset.writers ?? '').split(' ').filter((w) => w !== ''),
        permuted: e.hasAttribute('data-permuted'),
        permutation: e.dataset.permutation === undefined ? null : e.dataset.permutation.split(',').map(Number),
      };
    }),
  );
}

/** A layer's units x fan-in weights (nets' orientation), by module path. */
function weightsOf(model: OnnxModel, name: string): { units: number; fanIn: number; inChannels: number; data: Float64Array } {
  const layer = graphLayers(model).find((l) => l.name === name);
  if (layer === undefined) throw new Error(`no layer ${name}`);
  return { units: layer.units, fanIn: layer.fanIn, inChannels: layer.inChannels, data: layerWeightMatrix(model, layer).data };
}

/**
 * The downloaded ONNX is the original with each group's channels permuted, new i = old p[i]:
 * the writer's rows move by p and the reader's input channels (blocks of fanIn / inChannels
 * entries per row) by p too; the page says its outputs are unchanged on the samples.
 */
async function expectPermutedDownload(original: OnnxModel, reader: string, writer: string): Promise<void> {
  expect(await page.locator('#graph-same-function').getAttribute('data-same')).not.toBeNull();
  expect(await page.locator('#graph-same-function').textContent()).toMatch(/on 64 of your samples.*the same function, to float32 roundoff/);
  const permuted = readOnnx(await download('[data-download="permuted.onnx"]'));
  const group = (await shownGroups()).find((g) => g.writers.includes(writer));
  expect(group?.permuted, writer).toBe(true);
  const p = group!.permutation!;
  expect(p.some((v, i) => v !== i), 'the permutation moves something').toBe(true);
  // The writer's inputs may move too (the group upstream): compare its rows as sets of input blocks.
  const blocks = (w: ReturnType<typeof weightsOf>, row: number) => {
    const size = w.fanIn / w.inChannels;
    return Array.from({ length: w.inChannels }, (_, c) => Array.from(w.data.subarray(row * w.fanIn + c * size, row * w.fanIn + (c + 1) * size)).join(','))
      .sort()
      .join(';');
  };
  const before = weightsOf(original, writer);
  const after = weightsOf(permuted, writer);
  for (let i = 0; i < before.units; i++) expect(blocks(after, i), `${writer} unit ${i}`).toBe(blocks(before, p[i]!));
  // The reader's own rows may move too (its group): compare its input blocks as sets per row.
  const r0 = weightsOf(original, reader);
  const r1 = weightsOf(permuted, reader);
  const block = r0.fanIn / r0.inChannels;
  const rowKey = (w: typeof r0, row: number, order: (c: number) => number) =>
    Array.from({ length: w.inChannels }, (_, c) => Array.from(w.data.subarray(row * w.fanIn + order(c) * block, row * w.fanIn + (order(c) + 1) * block)).join(',')).join(';');
  const originalRows = new Set(Array.from({ length: r0.units }, (_, row) => rowKey(r0, row, (c) => p[c]!)));
  for (let row = 0; row < r1.units; row++) expect(originalRows.has(rowKey(r1, row, (c) => c)), `${reader} row ${row}`).toBe(true);
}

describe('your model: an ONNX graph (cnn-pools)', () => {
  const ref = reference('cnn-pools');

  it('lists every linear layer as soon as the file is dropped anywhere on the page, without loading ONNX Runtime', async () => {
    // Dropped on the tour: the page opens "Your model" with it.
    await page.goto(harness.url);
    await page.waitForSelector('#tour[data-generation="1"]', { timeout: 60_000 });
    await drop([fixture('cnn-pools', 'a.onnx')]);
    await page.waitForSelector('#model:not([hidden])');
    expect(await page.evaluate(() => location.hash)).toContain('view=model');
    await page.waitForSelector('#graph[data-phase="listed"]', { timeout: 60_000 });
    const layers = await listedLayers();
    expect(layers.map((l) => l.name)).toEqual(ref.layers.map((l) => l.module));
    expect(layers.map((l) => l.op)).toEqual(ref.layers.map((l) => l.op));
    for (const [i, layer] of layers.entries()) {
      const want = ref.layers[i]!;
      expect(layer.text).toContain(`${want.units} units × ${want.fanIn} inputs`);
      expect(layer.output).toBe(want.output);
      if (want.output) {
        expect(layer.status).toBe('output');
        expect(layer.text).toContain('output layer: its units are already ordered; not descrambled');
      } else {
        expect(layer.status).toBe('listed');
        expect(layer.text).toMatch(/descrambling: under a second, \d+ KB/);
      }
    }
    // The node strip shows the whole graph with the linear layers highlighted.
    expect(await page.locator('#graph-nodes li.node.linear').count()).toBe(ref.layers.length);
    expect(await page.locator('#graph-nodes li.node').count()).toBeGreaterThan(ref.layers.length);
    expect(onnxRuntimeRequests()).toEqual([]);
    await shot('graph-listed');
  });

  it('refuses samples whose shape does not fit the graph input, naming both shapes', async () => {
    const wrong = writeNpy({ dtype: 'float32', shape: [4, 3, 16, 16], data: new Float64Array(4 * 3 * 16 * 16) });
    await page.setInputFiles('#data-file', { name: 'wrong.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(wrong) });
    const alert = page.locator('#model-error');
    await alert.waitFor({ state: 'visible' });
    const message = (await alert.textContent()) ?? '';
    expect(message).toMatch(/^Could not use these samples\. wrong\.npy: /);
    expect(message).toContain('each sample is [3, 16, 16]');
    expect(message).toContain('[1, 16, 16]');
    expect(message).not.toMatch(/cannot be read/);
    expect(await page.locator('#descramble-graph').isDisabled()).toBe(true);
  });

  it('captures every layer in one pass of ONNX Runtime Web and descrambles every hidden layer; the Grams equal PyTorch', async () => {
    await page.setInputFiles('#data-file', join(REAL, 'cnn-pools', 'inputs.npy'));
    await page.waitForSelector('#graph[data-phase="data"]', { timeout: 60_000 });
    expect(await page.locator('#graph-data').textContent()).toContain('Samples: 64 from inputs.npy, shape [64, 1, 16, 16]');
    expect(onnxRuntimeRequests()).toEqual([]);
    await page.click('#descramble-graph');
    await page.waitForSelector('#graph[data-phase="done"]', { timeout: 180_000 });
    const layers = await listedLayers();
    for (const layer of layers) expect(layer.status, layer.name).toBe(layer.output ? 'output' : 'descrambled');
    expect(await page.locator('#graph-capture').textContent()).toMatch(/Captured 4 layers in one pass of ONNX Runtime Web over 64 samples \(WebAssembly, 1 thread/);
    const hidden = ref.layers.filter((l) => !l.output);
    expect(await page.locator('#graph-figures section.graph-layer').evaluateAll((s) => s.map((e) => (e as HTMLElement).dataset.layer))).toEqual(hidden.map((l) => l.module));
    for (const [index] of hidden.entries()) await expectLayerFiguresDrawn(index);
    await expectGramsEqualPyTorch('cnn-pools', hidden.map((l) => l.module));
    // ONNX Runtime's wasm came from the site itself, after the visitor asked for the capture.
    const ort = onnxRuntimeRequests();
    expect(ort.some((url) => url.endsWith('.wasm'))).toBe(true);
    for (const url of ort) expect(new URL(url).origin).toBe(new URL(harness.url).origin);
    const original = readOnnx(readFileSync(join(REAL, 'cnn-pools', 'a.onnx')));
    await expectPermutedDownload(original, '4', '0');
    await expectPermutedDownload(original, '11', '7');
    // The report: descramblers' LayerReport per hidden layer (the CLI's layer record), the layers left alone, the check.
    const report = JSON.parse(new TextDecoder().decode(await download('[data-download="graph-report.json"]')));
    expect(report.engine).toEqual({ name: 'onnxruntime-web', backend: 'wasm', threads: 1, crossOriginIsolated: false });
    expect(report.data).toEqual({ file: 'inputs.npy', samples: 64, shape: [64, 1, 16, 16], dtype: 'float32' });
    expect(report.layers.map((l: { name: string }) => l.name)).toEqual(hidden.map((l) => l.module));
    const rows = await page.locator('#graph-layers li[data-rows]').evaluateAll((items) => items.map((e) => Number((e as HTMLElement).dataset.rows)));
    for (const [i, layer] of (report.layers as { source: string; bias: string; sampleCount: number; withinRoundoff: boolean; weights: { shape: number[] } }[]).entries()) {
      expect(layer).toMatchObject({ source: 'gram', bias: 'exclude', withinRoundoff: true, sampleCount: rows[i] });
      expect(layer.weights.shape).toEqual([hidden[i]!.units, hidden[i]!.fanIn]);
    }
    expect(report.skippedLayers).toEqual([{ name: '11', reason: 'output layer: its units are already ordered' }]);
    expect(report.permuted.check.maxRelativeDifference).toBeLessThan(1e-5);
    await shot('graph-descrambled');
  });
});

describe('your model: cancelling', () => {
  it('cancelled at once, it runs again in a fresh worker, which reads the files again', async () => {
    // Both clicks in one task: the worker is terminated before it can answer.
    await page.evaluate(() => {
      (document.querySelector('#descramble-graph') as HTMLButtonElement).click();
      (document.querySelector('#model-cancel') as HTMLButtonElement).click();
    });
    await page.waitForSelector('#graph[data-phase="cancelled"]');
    expect(await page.locator('#model-status-text').textContent()).toContain('Cancelled');
    await page.click('#descramble-graph');
    await page.waitForSelector('#graph[data-phase="done"]', { timeout: 180_000 });
    // Only a worker without the Grams captures (the old one kept them): this one was fresh.
    expect(await page.locator('#graph-capture').textContent()).toContain('Captured 4 layers');
    await expectGramsEqualPyTorch('cnn-pools', ['0', '4', '7']);
  });
});

describe('your model: a transformer (MatMul weights stored inputs × outputs)', () => {
  const ref = reference('transformer');

  it('descrambles every hidden layer along its units, the Grams equal PyTorch', async () => {
    await page.goto(`${harness.url}?fresh=transformer#view=model`);
    await page.waitForSelector('#model:not([hidden])');
    // The model and its samples dropped together.
    await drop([fixture('transformer', 'a.onnx'), fixture('transformer', 'inputs.npy')]);
    await page.waitForSelector('#graph[data-phase="data"]', { timeout: 60_000 });
    const listed = await listedLayers();
    expect(listed.map((l) => l.name)).toEqual(ref.layers.map((l) => l.module));
    const embed = listed.find((l) => l.name === 'embed')!;
    // The weight is stored [6, 16] (inputs x outputs); the layer has 16 units of 6 inputs.
    expect(embed.op).toBe('MatMul');
    expect(embed.text).toContain('16 units × 6 inputs');
    expect(listed.find((l) => l.name === 'head')?.status).toBe('output');
    await page.click('#descramble-graph');
    await page.waitForSelector('#graph[data-phase="done"]', { timeout: 180_000 });
    const hidden = ref.layers.filter((l) => !l.output);
    const drawn = await page.locator('#graph-figures section.graph-layer').evaluateAll((s) => s.map((e) => [(e as HTMLElement).dataset.layer, (e as HTMLElement).dataset.shape]));
    expect(drawn).toEqual(hidden.map((l) => [l.module, `${l.units}x${l.fanIn}`]));
    await expectGramsEqualPyTorch('transformer', hidden.map((l) => l.module));
    // The feed-forward's hidden units move (linear1's outputs, linear2's inputs); the attention's own channels stay.
    await expectPermutedDownload(readOnnx(readFileSync(join(REAL, 'transformer', 'a.onnx'))), 'encoder.linear2', 'encoder.linear1');
    const attention = (await shownGroups()).find((g) => g.writers.includes('encoder.self_attn'));
    expect(attention?.permuted).toBe(false);
    await shot('graph-transformer');
  });
});

describe('your model: every real PyTorch network of fixtures/real-models', () => {
  const folders = readdirSync(REAL, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  it('finds the ten networks', () => {
    expect(folders).toHaveLength(10);
  });

  it.each(folders)('%s: every layer listed, every hidden one captured (Grams equal PyTorch) and descrambled, the permuted ONNX computes the same function', async (folder) => {
    const ref = reference(folder);
    await page.goto(`${harness.url}?fresh=${folder}#view=model`);
    await page.waitForSelector('#model:not([hidden])');
    await drop([fixture(folder, 'a.onnx'), fixture(folder, 'inputs.npy')]);
    await page.waitForSelector('#graph[data-phase="data"]', { timeout: 60_000 });
    const listed = await listedLayers();
    expect(listed.map((l) => [l.name, l.op, l.output])).toEqual(ref.layers.map((l) => [l.module, l.op, l.output]));
    await page.click('#descramble-graph');
    await page.waitForSelector('#graph[data-phase="done"], #graph[data-phase="error"]', { timeout: 180_000 });
    expect(await page.locator('#model-error').textContent()).toBe('');
    const hidden = ref.layers.filter((l) => !l.output);
    for (const layer of await listedLayers()) expect(layer.status, layer.name).toBe(layer.output ? 'output' : 'descrambled');
    await expectGramsEqualPyTorch(folder, hidden.map((l) => l.module));
    expect(await page.locator('#graph-same-function').getAttribute('data-same'), folder).not.toBeNull();
  });
});

describe('your model: ONNX with external data', () => {
  it('reads the weights from the .data file dropped with the model, and captures every hidden layer', async () => {
    const pytorch = new URL('../../../fixtures/pytorch/', import.meta.url).pathname;
    const file = (name: string) => ({ name, bytes: new Uint8Array(readFileSync(join(pytorch, name))) });
    const samples = 40;
    const data = Float64Array.from({ length: samples * 16 }, (_, i) => Math.sin(0.37 * i));
    await page.goto(`${harness.url}?fresh=external#view=model`);
    await page.waitForSelector('#model:not([hidden])');
    await drop([file('mlp_external.onnx.data'), file('mlp_external.onnx'), { name: 'x.npy', bytes: writeNpy({ dtype: 'float32', shape: [samples, 16], data }) }]);
    await page.waitForSelector('#graph[data-phase="data"]', { timeout: 60_000 });
    expect((await listedLayers()).map((l) => [l.name, l.status])).toEqual([
      ['fc1', 'listed'],
      ['fc2', 'listed'],
      ['fc3', 'output'],
    ]);
    await page.click('#descramble-graph');
    await page.waitForSelector('#graph[data-phase="done"]', { timeout: 180_000 });
    expect((await listedLayers()).map((l) => l.status)).toEqual(['descrambled', 'descrambled', 'output']);
    expect(await page.locator('#graph-same-function').getAttribute('data-same')).not.toBeNull();
  });
});

describe('your model: limits', () => {
  it('refuses, before anything runs, a layer whose descrambler would not fit, saying why', async () => {
    const units = 12_000;
    const model = writeOnnx({
      opset: 17,
      graph: {
        nodes: [
          { name: '/fc1/Gemm', opType: 'Gemm', inputs: ['x', 'fc1.weight', 'fc1.bias'], outputs: ['h'], attributes: { transB: { type: 'int', value: 1 } } },
          { name: '/Relu', opType: 'Relu', inputs: ['h'], outputs: ['r'] },
          { name: '/fc2/Gemm', opType: 'Gemm', inputs: ['r', 'fc2.weight', 'fc2.bias'], outputs: ['y'], attributes: { transB: { type: 'int', value: 1 } } },
        ],
        initializers: {
          'fc1.weight': { dtype: 'float32', shape: [units, 2], data: new Float64Array(units * 2).fill(0.5) },
          'fc1.bias': { dtype: 'float32', shape: [units], data: new Float64Array(units) },
          'fc2.weight': { dtype: 'float32', shape: [1, units], data: new Float64Array(units).fill(0.5) },
          'fc2.bias': { dtype: 'float32', shape: [1], data: new Float64Array(1) },
        },
        inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 2] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 1] }],
      },
    });
    await drop([{ name: 'wide.onnx', bytes: model }]);
    await page.waitForSelector('#graph[data-phase="listed"]', { timeout: 60_000 });
    const [fc1, fc2] = await listedLayers();
    expect(fc1?.status).toBe('refused');
    expect(fc1?.text).toMatch(/not descrambled: layer fc1 has 12000 units: its exact descrambler needs about 6\.4 GB of float64 matrices .*more than the 1\.0 GB this page allows itself/);
    expect(fc2?.status).toBe('output');
    expect(await page.locator('#model-error').isHidden()).toBe(true);
  });
});

describe('your model: engineering', () => {
  it('made no request outside 127.0.0.1 and logged no console errors', () => {
    expect(harness.externalRequests).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });
});

describe('your model: a cross-origin-isolated page', () => {
  it('runs ONNX Runtime Web with threads, and the Grams are unchanged', async () => {
    const isolated = await openHarness({ isolated: true });
    const main = page;
    try {
      page = isolated.page;
      await page.goto(`${isolated.url}#view=model`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      await page.waitForSelector('#model:not([hidden])');
      await drop([fixture('cnn-pools', 'a.onnx'), fixture('cnn-pools', 'inputs.npy')]);
      await page.waitForSelector('#graph[data-phase="data"]', { timeout: 60_000 });
      await page.click('#descramble-graph');
      await page.waitForSelector('#graph[data-phase="done"]', { timeout: 180_000 });
      const threads = Math.max(1, Math.min(4, cores));
      expect(await page.locator('#graph-capture').textContent()).toContain(`(WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}`);
      await expectGramsEqualPyTorch('cnn-pools', ['0', '4', '7']);
      expect(isolated.externalRequests).toEqual([]);
      expect(isolated.consoleErrors).toEqual([]);
    } finally {
      page = main;
      await isolated.close();
    }
  });
});
