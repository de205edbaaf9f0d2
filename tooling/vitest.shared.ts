import { defineConfig } from 'vitest/config';

// Source-first: workspace packages resolve to their `src/index.ts` through the
// `@descramble/source` export condition, so tests never wait for a build.
export default defineConfig({
  resolve: {
    conditions: ['@descramble/source'],
  },
  ssr: {
    resolve: {
      conditions: ['@descramble/source'],
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['bench/**', 'node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report feeds the one-line total that `npm test` prints at the end.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
