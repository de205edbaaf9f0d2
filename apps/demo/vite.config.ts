import { defaultClientConditions, defineConfig } from 'vite';
import { bundleBudget } from './build/budget.ts';
import { ONNX_RUNTIME_ASSETS, precacheServiceWorker } from './build/precache.ts';

/** Gzip budget of the first view's JavaScript (page entry + worker entry and their static imports). */
export const FIRST_VIEW_BUDGET_BYTES = 300 * 1024;

const budget = bundleBudget(FIRST_VIEW_BUDGET_BYTES);

export default defineConfig({
  // Relative URLs: dist/ works from any folder of any static host.
  base: './',
  resolve: {
    // Source-first: workspace packages compile from their src/ (no package build needed).
    conditions: ['@descramble/source', ...defaultClientConditions],
  },
  worker: {
    format: 'es',
    plugins: () => [budget.worker()],
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 8192,
  },
  plugins: [budget.page, precacheServiceWorker({ exclude: [ONNX_RUNTIME_ASSETS] })],
});
