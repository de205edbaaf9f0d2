import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, requireChromium } from './browser.js';

// A failing test of its own (not only a failing beforeAll, which vitest reports as skipped
// tests), so a machine without Chromium is told exactly what to install.
describe('browser for the demo tests', () => {
  it(`finds Debian's Chromium at ${CHROMIUM} (else: apt-get install -y chromium)`, () => {
    requireChromium();
    expect(existsSync(CHROMIUM)).toBe(true);
  });
});
