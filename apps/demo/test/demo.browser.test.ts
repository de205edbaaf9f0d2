/**
 * The demo in a real browser (Debian's Chromium through playwright-core) against the built
 * site: every tour view draws, controls recompute, the URL carries the state, files are read
 * and descrambled in the page with results equal to the packages run here in Node, a broken
 * file gives a clear message, the page works offline, and nothing talks to the network.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { descrambleLayer, descramblerDistance, isotropicDescrambler } from '@descramble/descramblers';
import { readNpy, readOnnx, readSafetensors, toMatrix, writeNpy } from '@descramble/io';
import { createRng } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, canvasPixels, DEMO_ROOT, FIXTURES, type Harness, heatmapCentreDistinct, openHarness, SCREENSHOTS } from './browser.js';

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await openHarness();
  page = harness.page;
});

afterAll(async () => {
  await harness?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function generation(): Promise<number> {
  return Number(await page.locator('#tour').getAttribute('data-generation'));
}

/**
 * Waits until the tour has drawn a new exact result after `before`, and (unless told not to)
 * until the strategy comparison is done too.
 */
async function waitForTour(before: number, { done = true } = {}): Promise<void> {
  await page.waitForFunction((g) => Number(document.querySelector('#tour')?.getAttribute('data-generation')) > g, before, { timeout: 60_000 });
  if (done) await page.waitForSelector('#tour[data-phase="done"]', { timeout: 90_000 });
}

async function expectHeatmapsDrawn(keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const pixels = await canvasPixels(page, `canvas[data-figure="${key}"]`);
    expect(pixels.width, key).toBeGreaterThan(100);
    // A heatmap of a generic matrix has many colours; a blank or constant canvas has 1.
    expect(pixels.distinct, key).toBeGreaterThan(20);
    expect(await heatmapCentreDistinct(page, `canvas[data-figure="${key}"]`), key).toBeGreaterThan(10);
  }
}

function maxAbsDifference(a: Float64Array, b: Matrix): number {
  let worst = 0;
  for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.columns; j++) worst = Math.max(worst, Math.abs(a[i * b.columns + j]! - b.get(i, j)));
  return worst;
}

async function download(selector: string): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await file.path();
  return new Uint8Array(readFileSync(path));
}

const HEATMAPS = ['raw', 'descrambled', 'raw-spectrum', 'descrambled-spectrum'] as const;

/** What `window.__descrambleDemo` holds (see src/main.ts). */
interface PageTimings {
  ready: number;
  exactDrawn: number;
  readyToExactMs: number;
  exactWorkerMs: number;
  firstLookTraces: number | null;
  fullExactDrawn: number;
  readyToFullExactMs: number;
  fullExactWorkerMs: number;
  domContentLoaded: number;
}

const TIMING_RUNS = 5;

/**
 * Loads a view afresh (a new document, so a fresh worker) and waits for its first exact
 * descrambler and for the one of all the samples. The page's ready signal is taken right after
 * its first render (just after DOMContentLoaded, both reported); drawn means the heatmaps are
 * painted, checked here: their pixels are not constant.
 */
async function timeView(view: 'isotropic' | 'deernet', run: number): Promise<PageTimings> {
  await page.goto(`${harness.url}?timing=${view}-${run}#view=${view}`);
  const read = () =>
    page.evaluate(() => {
      const t = (window as unknown as { __descrambleDemo: Omit<PageTimings, 'domContentLoaded'> }).__descrambleDemo;
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { ...t, domContentLoaded: navigation.domContentLoadedEventEnd };
    });
  await page.waitForFunction(() => (window as { __descrambleDemo?: { readyToExactMs: number | null } }).__descrambleDemo?.readyToExactMs != null, undefined, {
    timeout: 60_000,
  });
  for (const key of ['descrambled', 'descrambler']) {
    expect((await canvasPixels(page, `canvas[data-figure="${key}"]`)).distinct, `${view} ${key}`).toBeGreaterThan(20);
  }
  await page.waitForFunction(() => (window as { __descrambleDemo?: { readyToFullExactMs: number | null } }).__descrambleDemo?.readyToFullExactMs != null, undefined, {
    timeout: 60_000,
  });
  await expectHeatmapsDrawn(['descrambled', 'descrambler']);
  return read();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(', ');

describe('tour', () => {
  it(`measures the time to the exact descrambler of the DEERNet and isotropic views (${TIMING_RUNS} fresh loads each)`, async () => {
    const runs: Record<'isotropic' | 'deernet', PageTimings[]> = { isotropic: [], deernet: [] };
    const load: number[][] = [];
    for (let run = 0; run < TIMING_RUNS; run++) {
      for (const view of ['deernet', 'isotropic'] as const) {
        load.push(loadavg());
        runs[view].push(await timeView(view, run));
      }
    }
    // The user agent string is reduced (156.0.0.0): ask the binary for its full version.
    const chromium = /\d+(\.\d+)+/.exec(execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[0] ?? 'unknown';
    const machine = {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverage: load.map((l) => l.map((x) => Number(x.toFixed(2)))),
      chromium,
      node: process.version,
      date: new Date().toISOString(),
    };
    const first = runs.deernet.map((t) => t.readyToExactMs);
    const full = runs.deernet.map((t) => t.readyToFullExactMs);
    const iso = runs.isotropic.map((t) => t.readyToExactMs);
    // Reported, not asserted: timings depend on the machine's load.
    console.log(`[demo timing] DEERNet, ready -> exact descrambler drawn (first look, ${runs.deernet[0]?.firstLookTraces} traces), ms: ${ms(first)}`);
    console.log(`[demo timing] DEERNet, ready -> exact descrambler of all 1024 traces drawn, ms: ${ms(full)}`);
    console.log(`[demo timing] isotropic, ready -> exact descrambler drawn, ms: ${ms(iso)}`);
    console.log(`[demo timing] machine: ${JSON.stringify(machine)}`);
    for (const t of runs.deernet) expect(t.firstLookTraces).toBe(128);
    for (const t of runs.isotropic) expect(t.firstLookTraces).toBeNull();
    writeFileSync(join(DEMO_ROOT, 'test-results', 'timings.json'), `${JSON.stringify({ machine, runs }, null, 2)}\n`);
    const loads = load.map((l) => l[0]!);
    const row = (label: string, values: number[], worker: number[]) =>
      `| ${label} | ${ms(values)} | ${median(values).toFixed(0)} | ${median(worker).toFixed(0)} |`;
    const table = [
      '# @descramble/demo: time to the exact descrambler',
      '',
      `Machine: ${machine.cpu}, nproc = ${machine.nproc}, Debian Chromium ${chromium} (headless), load average (1 min) ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} during the runs (a shared machine). ` +
        `${TIMING_RUNS} fresh loads of each view from the built site (\`pnpm --filter @descramble/demo run test\`, ${machine.date.slice(0, 10)}). ` +
        'Time from the page being ready (its first render, just after DOMContentLoaded) to the heatmaps of the exact descrambler being drawn on the page (checked: their pixels are not constant). ' +
        'Worker time: from the start of the computation to P (DEER trace simulation and the Gram matrix included; for the answers with all the samples also the Theorem 2 limit, an SVD of W).',
      '',
      '| view | ready -> drawn, 5 runs (ms) | median (ms) | median worker time for P (ms) |',
      '| --- | --- | ---: | ---: |',
      row(`DEERNet, first look (exact P of the first ${runs.deernet[0]?.firstLookTraces} traces)`, first, runs.deernet.map((t) => t.exactWorkerMs)),
      row('DEERNet, exact P of all 1024 traces', full, runs.deernet.map((t) => t.fullExactWorkerMs)),
      row('Isotropic data (1024 samples)', iso, runs.isotropic.map((t) => t.exactWorkerMs)),
      '',
    ].join('\n');
    mkdirSync(join(DEMO_ROOT, 'bench'), { recursive: true });
    writeFileSync(join(DEMO_ROOT, 'bench', 'latest.md'), table);
  });

  it('shows the exact descrambler of the isotropic view, its certificate and the strategy comparison', async () => {
    await page.goto(harness.url);
    await page.waitForFunction(() => (window as { __descrambleDemo?: { readyToExactMs: number | null } }).__descrambleDemo?.readyToExactMs != null, undefined, {
      timeout: 60_000,
    });
    expect(await page.locator('h2#tour-title').textContent()).toBe('Isotropic data');
    await expectHeatmapsDrawn([...HEATMAPS, 'descrambler']);
    await page.waitForSelector('#tour[data-phase="done"]', { timeout: 90_000 });
    await expectHeatmapsDrawn(['strategy-weights']);
    expect((await canvasPixels(page, 'canvas[data-figure="convergence"]')).distinct).toBeGreaterThan(5);
    await expect(page.locator('#strategy-table tbody tr').count()).resolves.toBe(4);
    const exactGap = Number(await page.locator('#strategy-table tbody tr:last-child td').first().textContent());
    expect(Math.abs(exactGap)).toBeLessThan(1e-10);
    expect(await page.evaluate(() => location.hash)).toContain('view=isotropic');
    await shot('isotropic');
  });

  it('changing a control recomputes the figures and records it in the URL', async () => {
    const before = await canvasPixels(page, 'canvas[data-figure="descrambled"]');
    const g = await generation();
    await page.selectOption('#tour-samples', '16');
    await waitForTour(g, { done: false });
    const after = await canvasPixels(page, 'canvas[data-figure="descrambled"]');
    expect(after.hash).not.toBe(before.hash);
    expect(await page.evaluate(() => location.hash)).toContain('samples=16');
    const rank = await page.locator('#tour-certificate dd').nth(6).textContent();
    expect(Number(rank)).toBe(16); // 16 samples of 48 inputs: B has rank 16 of 32

    const g2 = await generation();
    await page.selectOption('#tour-operator', 'dirichlet');
    await waitForTour(g2, { done: false });
    expect(await page.evaluate(() => location.hash)).toContain('operator=dirichlet');
    // Dirichlet second differences have distinct eigenvalues: no tie groups in A.
    expect(await page.locator('#tour-certificate dd').nth(5).textContent()).toMatch(/^0 \//);
  });

  for (const [view, title] of [
    ['linear', 'Two-layer linear network over training time'],
    ['convolution', 'Convolution'],
  ] as const) {
    it(`draws the ${view} view`, async () => {
      const g = await generation();
      await page.click(`nav a[data-view="${view}"]`);
      await waitForTour(g);
      expect(await page.locator('h2#tour-title').textContent()).toBe(title);
      await expectHeatmapsDrawn([...HEATMAPS, 'strategy-weights']);
      expect(await page.evaluate(() => location.hash)).toContain(`view=${view}`);
      await shot(view);
    });
  }

  it('draws the DEERNet view from the bundled weights, with the Chebyshev matrix', async () => {
    const g = await generation();
    await page.click('nav a[data-view="deernet"]');
    await waitForTour(g, { done: false });
    expect(await page.locator('h2#tour-title').textContent()).toBe('DEERNet');
    await expectHeatmapsDrawn(HEATMAPS);
    expect(await page.locator('#tour-certificate dd').first().textContent()).toContain('simulated DEER traces');
    await page.waitForSelector('canvas[data-figure="chebyshev"]', { timeout: 60_000 });
    expect((await canvasPixels(page, 'canvas[data-figure="chebyshev"]')).distinct).toBeGreaterThan(20);
    expect(await page.locator('#tour-facts').textContent()).toMatch(/Notch at input frequency 0.*dB/);
    await shot('deernet');
  });

  it('trains and descrambles the band-pass network; more epochs change it', async () => {
    const g = await generation();
    await page.click('nav a[data-view="bandpass"]');
    await waitForTour(g, { done: false });
    expect(await page.locator('h2#tour-title').textContent()).toBe('Band-pass');
    await expectHeatmapsDrawn(HEATMAPS);
    await page.waitForSelector('#tour-facts');
    expect(await page.locator('#tour-facts').textContent()).toMatch(/pass band/);
    await shot('bandpass');
    const before = await canvasPixels(page, 'canvas[data-figure="raw"]');
    const g2 = await generation();
    await page.selectOption('#tour-epochs', '1');
    await waitForTour(g2, { done: false });
    expect((await canvasPixels(page, 'canvas[data-figure="raw"]')).hash).not.toBe(before.hash);
    expect(await page.evaluate(() => location.hash)).toContain('epochs=1');
  });

  it('training time moves the linear network along its trajectory', async () => {
    await page.goto(`${harness.url}?fresh=linear#view=linear&samples=0&operator=fourier&strategy=exact&time=0.3&seed=2`);
    await page.waitForSelector('#tour[data-phase="done"]', { timeout: 90_000 });
    expect(await page.locator('#tour-time').inputValue()).toBe('0.3');
    const early = await canvasPixels(page, 'canvas[data-figure="descrambled"]');
    const g = await generation();
    await page.locator('#tour-time').fill('3');
    await waitForTour(g);
    const late = await canvasPixels(page, 'canvas[data-figure="descrambled"]');
    expect(late.hash).not.toBe(early.hash);
    expect(await page.evaluate(() => location.hash)).toContain('time=3');
  });

  it('restores a shared URL and cancels a running computation', async () => {
    // Cancel in the window between the exact result and the end of the strategy comparison. Waiting
    // for the phase and then clicking races the worker (a fast machine finishes first), so the click
    // happens in the page, in the microtask after the phase turns "exact": the worker's next message
    // is a later task and cannot overtake it.
    await page.addInitScript(() => {
      if (!location.search.includes('fresh=shared')) return;
      let clicked = false;
      new MutationObserver(() => {
        if (clicked || document.querySelector('#tour')?.getAttribute('data-phase') !== 'exact') return;
        clicked = true;
        (document.querySelector('#tour-cancel') as HTMLButtonElement).click();
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-phase'] });
    });
    await page.goto(`${harness.url}?fresh=shared#view=convolution&samples=64&operator=periodic&strategy=warm-start&seed=5`);
    expect(await page.locator('h2#tour-title').textContent()).toBe('Convolution');
    expect(await page.locator('#tour-samples').inputValue()).toBe('64');
    expect(await page.locator('#tour-operator').inputValue()).toBe('periodic');
    expect(await page.locator('#tour-strategy').inputValue()).toBe('warm-start');
    expect(await page.locator('#tour-seed').inputValue()).toBe('5');
    await page.waitForSelector('#tour[data-phase="cancelled"]');
    expect(await page.locator('#tour-status-text').textContent()).toContain('Cancelled');
    // Still usable: the next change computes again (in a fresh worker).
    const g2 = await generation();
    await page.selectOption('#tour-strategy', 'exact');
    await waitForTour(g2);
  });
});

describe('your model', () => {
  it('descrambles a PyTorch safetensors layer without data (Theorem 2), equal to the packages in Node', async () => {
    await page.click('nav a[data-view="model"]');
    await expect(page.locator('#model').isVisible()).resolves.toBe(true);
    expect(await page.locator('.privacy').textContent()).toContain('never leave your machine');
    await page.setInputFiles('#model-file', join(FIXTURES, 'mlp.safetensors'));
    await page.waitForSelector('#layer-form:not([hidden])');
    await page.selectOption('#layer', 'fc1.weight');
    await page.click('#descramble');
    await page.waitForSelector('#model[data-phase="done"]', { timeout: 60_000 });
    expect(await page.locator('#model-method').textContent()).toContain('Theorem 2');
    await expectHeatmapsDrawn(['model-raw', 'model-descrambled', 'model-raw-spectrum', 'model-descrambled-spectrum']);

    const weights = toMatrix(readSafetensors(readFileSync(join(FIXTURES, 'mlp.safetensors'))).tensors.get('fc1.weight')!);
    const expected = isotropicDescrambler(weights, { operator: 'fourier' });
    const p = readNpy(await download('[data-download="descrambler.npy"]'));
    expect(p.shape).toEqual([12, 12]);
    // Fourier A on 12 points has five tied cos/sin pairs: the browser's P may be another member of
    // the same family (roundoff decides the rotation inside a pair), so compare explanations, not entries.
    const browserP = new Matrix(12, 12);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) browserP.set(i, j, (p.data as Float64Array)[i * 12 + j] as number);
    expect(descramblerDistance(browserP, expected.P, expected.smoothness)).toBeLessThanOrEqual(1e-10);
    const pw = readNpy(await download('[data-download="descrambled_weights.npy"]'));
    expect(pw.shape).toEqual([12, 16]);
    expect(maxAbsDifference(pw.data as Float64Array, browserP.mmul(weights))).toBeLessThanOrEqual(1e-12);
    const report = JSON.parse(new TextDecoder().decode(await download('[data-download="report.json"]')));
    expect(report.method).toBe('isotropic-theorem-2');
    expect(report.layer).toBe('fc1.weight');
    expect(report.descrambling.gap).toBe(0);
    expect(report.descrambling.withinRoundoff).toBe(true);
    await shot('model-safetensors');
  });

  it('descrambles an ONNX layer with input data (Gram of W X^T), equal to the packages in Node', async () => {
    const onnx = readFileSync(join(FIXTURES, 'mlp.onnx'));
    const weights = toMatrix(readOnnx(onnx).graph.initializers.get('fc1.weight')!);
    const rng = createRng(42);
    const samples = 64;
    const data = rng.normalArray(samples * weights.columns);
    const npy = writeNpy({ dtype: 'float64', shape: [samples, weights.columns], data });
    await page.setInputFiles('#model-file', join(FIXTURES, 'mlp.onnx'));
    await page.waitForSelector('#model[data-phase="ready"]');
    await page.setInputFiles('#data-file', { name: 'inputs.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npy) });
    await page.waitForFunction(() => document.querySelector('#model-files')?.textContent?.includes('inputs.npy'));
    await page.selectOption('#layer', 'fc1.weight');
    await page.selectOption('#model-operator', 'dirichlet');
    await page.click('#descramble');
    await page.waitForSelector('#model[data-phase="done"]', { timeout: 60_000 });
    expect(await page.locator('#model-method').textContent()).toContain('Gram matrix of W X^T (64 samples');
    const expected = descrambleLayer({ weights, data: toMatrix({ dtype: 'float64', shape: [samples, weights.columns], data }), operator: 'dirichlet' });
    const p = readNpy(await download('[data-download="descrambler.npy"]'));
    expect(maxAbsDifference(p.data as Float64Array, expected.P)).toBeLessThanOrEqual(1e-12);
    const st = readSafetensors(await download('[data-download="descrambled.safetensors"]')).tensors;
    expect(maxAbsDifference(st.get('descrambled_weight')!.data as Float64Array, expected.descrambledWeights)).toBeLessThanOrEqual(1e-12);
    expect(maxAbsDifference(st.get('weight')!.data as Float64Array, weights)).toBe(0);
    await page.click('#clear-data');
    await shot('model-onnx-with-data');
  });

  it('shows a clear message for a malformed file and stays usable', async () => {
    await page.setInputFiles('#model-file', {
      name: 'broken.safetensors',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not a safetensors file at all, just text'),
    });
    const alert = page.locator('#model-error');
    await alert.waitFor({ state: 'visible' });
    const message = await alert.textContent();
    expect(message).toContain('broken.safetensors');
    expect(message).toMatch(/cannot be read|not a safetensors/);
    expect(await page.locator('#layer-form').isHidden()).toBe(true);
    await shot('model-malformed');
    // The page is still usable: a good file loads and the message goes away.
    await page.setInputFiles('#model-file', join(FIXTURES, 'mlp.safetensors'));
    await page.waitForSelector('#layer-form:not([hidden])');
    expect(await alert.isHidden()).toBe(true);
  });

  it('reads a Keras .h5 file through the lazily loaded HDF5 reader', async () => {
    await page.setInputFiles('#model-file', join(FIXTURES, 'mlp_keras.h5'));
    await page.waitForSelector('#model[data-phase="ready"], #model[data-phase="error"]', { timeout: 60_000 });
    expect(await page.locator('#model-error').isHidden()).toBe(true);
    expect(await page.locator('#transpose').isChecked()).toBe(true);
    expect(await page.locator('#layer option').count()).toBeGreaterThan(0);
  });
});

describe('engineering', () => {
  it('is keyboard operable: the views are links, the controls labelled, the actions buttons', async () => {
    await page.goto(`${harness.url}?fresh=keyboard#view=isotropic&samples=0`);
    await page.waitForSelector('#tour[data-generation="1"]', { timeout: 60_000 });
    // Every form control has an accessible name from a label.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select')].filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.locator('[onclick], div[role="button"]').count()).toBe(0);
    // Tab from the top: skip link, then the view links; Enter on one switches the view.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('linear');
    const g = await generation();
    await page.keyboard.press('Enter');
    await waitForTour(g);
    expect(await page.locator('h2#tour-title').textContent()).toBe('Two-layer linear network over training time');
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForSelector('#tour[data-phase="done"]', { timeout: 90_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('works offline once loaded (service worker precache)', async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await harness.context.setOffline(true);
    try {
      await page.reload();
      await page.waitForSelector('#tour[data-phase="exact"], #tour[data-phase="done"]', { timeout: 60_000 });
      await expectHeatmapsDrawn(['raw', 'descrambled']);
      // Lazy chunks are precached too: a file format can be loaded offline.
      await page.click('nav a[data-view="model"]');
      await page.setInputFiles('#model-file', join(FIXTURES, 'mlp.onnx'));
      await page.waitForSelector('#model[data-phase="ready"]', { timeout: 60_000 });
      await shot('offline');
    } finally {
      await harness.context.setOffline(false);
    }
  });

  it('logged no console errors and made no request outside 127.0.0.1', () => {
    expect(harness.consoleErrors).toEqual([]);
    expect(harness.externalRequests).toEqual([]);
  });
});
