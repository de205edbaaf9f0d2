import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScale, formatTick, linearTicks, logTicks, niceDomain, niceStep, resolveTicks } from './scale.js';

describe('linear ticks', () => {
  it('are round, evenly spaced and inside the range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        (low, span) => {
          const high = low + span;
          fc.pre(high > low);
          const ticks = linearTicks(low, high, 5);
          expect(ticks.length).toBeGreaterThanOrEqual(2);
          expect(ticks.length).toBeLessThanOrEqual(12);
          const step = niceStep(high - low, 5);
          const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
          expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
          for (let k = 0; k < ticks.length; k++) {
            const t = ticks[k]!;
            // Inside the range up to rounding of k * step.
            expect(t).toBeGreaterThanOrEqual(low - 1e-9 * Math.max(1, Math.abs(low), step));
            expect(t).toBeLessThanOrEqual(high + 1e-9 * Math.max(1, Math.abs(high), step));
            if (k > 0) expect(Math.abs(t - ticks[k - 1]! - step)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(t), step));
          }
        },
      ),
    );
  });

  it('end, with the two ends, for spans too small to hold distinct round numbers (any doubles)', () => {
    // 500 .. 500 + 1e-13 once looped for ever (k / step beyond 2^53) and grew the tick array until V8 aborted.
    expect(linearTicks(500, 500 + 1e-13, 5)).toEqual([500, 500 + 1e-13]);
    expect(linearTicks(-1.7e308, 1.7e308, 5)).toEqual([-1.7e308, 1.7e308]);
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        const ticks = linearTicks(a, b, 5);
        expect(ticks.length).toBeLessThanOrEqual(53);
        for (const t of ticks) expect(Number.isFinite(t)).toBe(true);
      }),
    );
  });

  it('for 0..79 with 5 intervals are multiples of 20', () => {
    expect(linearTicks(0, 79, 5)).toEqual([0, 20, 40, 60]);
    expect(linearTicks(-40, 39, 5)).toEqual([-40, -20, 0, 20]);
  });

  it('nice domains contain the data and start/end on ticks', () => {
    expect(niceDomain(0.13, 0.97)).toEqual([0, 1]);
    expect(niceDomain(-3.2, 7.9)).toEqual([-4, 8]);
    expect(niceDomain(5, 5)).toEqual([4.5, 5.5]);
    expect(niceDomain(0, 0)).toEqual([-1, 1]);
  });
});

describe('log ticks', () => {
  it('are the powers of ten in range', () => {
    expect(logTicks(1, 200)).toEqual([1, 10, 100]);
    expect(logTicks(1e-3, 1)).toEqual([1e-3, 1e-2, 1e-1, 1]);
  });
  it('fall back to 1-2-5 multiples in a narrow range', () => {
    expect(logTicks(1.5, 9)).toEqual([2, 5]);
  });
});

describe('scales', () => {
  it('map domain ends to range ends, linear and log', () => {
    const linear = createScale([-2, 6], [10, 110]);
    expect(linear(-2)).toBe(10);
    expect(linear(6)).toBe(110);
    expect(linear(2)).toBe(60);
    const log = createScale([1, 1000], [300, 0], true);
    expect(log(1)).toBe(300);
    expect(log(1000)).toBeCloseTo(0, 12);
    expect(log(10)).toBeCloseTo(200, 12);
  });
});

describe('tick labels', () => {
  it('use as many decimals as the spacing needs, exponents for extremes', () => {
    expect(formatTick(0.5, 0.5)).toBe('0.5');
    expect(formatTick(20, 20)).toBe('20');
    expect(formatTick(0.25, 0.05)).toBe('0.25');
    expect(formatTick(0, 0.1)).toBe('0');
    expect(formatTick(1e-5, 1e-5)).toBe('1e-5');
    expect(formatTick(2.5e6, 5e5)).toBe('2.5e6');
  });
  it('keep user labels and generate the rest', () => {
    expect(resolveTicks([0, { value: 5, label: 'Nyquist' }], [0, 10], false, 5)).toEqual([
      { value: 0, label: '0' },
      { value: 5, label: 'Nyquist' },
    ]);
  });
});
