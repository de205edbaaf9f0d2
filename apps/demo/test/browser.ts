/**
 * The browser harness of the demo's tests: Debian's Chromium (never a downloaded one) driven by
 * playwright-core, a fresh profile, and a static server on 127.0.0.1 for dist/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
// @ts-expect-error -- plain JavaScript module without types
import { serveStatic } from '../scripts/serve.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const DEMO_ROOT = new URL('..', import.meta.url).pathname;
export const DIST = join(DEMO_ROOT, 'dist');
export const SCREENSHOTS = join(DEMO_ROOT, 'test-results', 'screenshots');
export const FIXTURES = new URL('../../../fixtures/pytorch/', import.meta.url).pathname;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface Harness {
  readonly url: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far. */
  readonly consoleErrors: string[];
  /** Requests to anything but the local server (and data:/blob: URLs). */
  readonly externalRequests: string[];
  close(): Promise<void>;
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The demo's browser tests need Debian's Chromium at ${CHROMIUM}, which is missing. Install it with: apt-get install -y chromium`,
    );
  }
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(`No built site at ${DIST}: run the package's test script (it runs \`vite build\` first).`);
  }
}

/** `isolated`: the server sends COOP/COEP headers, so the page is cross-origin isolated. */
export async function openHarness({ isolated = false }: { isolated?: boolean } = {}): Promise<Harness> {
  requireChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const server = (await serveStatic(DIST, 0, { isolated })) as { url: string; close(): Promise<void> };
  const profile = mkdtempSync(join(tmpdir(), 'descramble-demo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  const local = new URL(server.url).origin;
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== local) externalRequests.push(url);
  });
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  return {
    url: server.url,
    context,
    page,
    consoleErrors,
    externalRequests,
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Statistics of a canvas' pixels: how many distinct colours, and a fingerprint of the picture. */
export async function canvasPixels(page: Page, selector: string): Promise<{ width: number; height: number; distinct: number; hash: number }> {
  return page.locator(selector).evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d context');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    let hash = 2166136261;
    for (let i = 0; i < data.length; i += 4) {
      const colour = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      colours.add(colour);
      hash = Math.imul(hash ^ colour, 16777619) >>> 0;
    }
    return { width: canvas.width, height: canvas.height, distinct: colours.size, hash };
  });
}

/**
 * Distinct colours inside the heatmap itself (the plot area), not counting axes and text:
 * read from the middle third of the canvas.
 */
export async function heatmapCentreDistinct(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const context = canvas.getContext('2d')!;
    const x = Math.floor(canvas.width / 3);
    const y = Math.floor(canvas.height / 3);
    const { data } = context.getImageData(x, y, Math.floor(canvas.width / 3), Math.floor(canvas.height / 3));
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
}
