import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../tooling/vitest.shared.ts';

// Unit tests (test/*.test.ts, Node) and the browser tests (test/*.browser.test.ts: Debian's
// Chromium driven by playwright-core against the built site in dist/, which the package's
// `test` script builds first).
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      fileParallelism: false,
    },
  }),
);
