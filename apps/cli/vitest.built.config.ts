import { defineConfig } from 'vitest/config';

// The built binary's suite (`test:built`, after `build`): the children run dist/bin.js; the
// test helpers themselves resolve the workspace packages source-first, as every suite does.
export default defineConfig({
  resolve: { conditions: ['@descramble/source'] },
  ssr: { resolve: { conditions: ['@descramble/source'] } },
  test: {
    include: ['test-built/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-built.json' }]],
  },
});
