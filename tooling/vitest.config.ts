import { defineConfig } from 'vitest/config';

// The repository-wide checks: layering of the manifests, README examples, the built packages
// as a consumer sees them (require(), TypeScript 5.4). Run from the root: `pnpm run test:tooling`.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
