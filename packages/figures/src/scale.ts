import type { Tick } from './figure.js';

/** A map from axis coordinates to pixels. */
export interface Scale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  readonly log: boolean;
  (value: number): number;
}

/** A linear (or base-10 logarithmic) map of `domain` onto `range`. */
export function createScale(
  domain: readonly [number, number],
  range: readonly [number, number],
  log = false,
): Scale {
  const [d0, d1] = log ? [Math.log10(domain[0]), Math.log10(domain[1])] : domain;
  const [r0, r1] = range;
  const slope = (r1 - r0) / (d1 - d0);
  const map = (value: number) => r0 + ((log ? Math.log10(value) : value) - d0) * slope;
  return Object.assign(map, { domain, range, log });
}

/** The "nice" step (1, 2 or 5 times a power of ten) giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const ratio = raw / power;
  const factor = ratio < 1.5 ? 1 : ratio < 3.5 ? 2 : ratio < 7.5 ? 5 : 10;
  return factor * power;
}

/** Round numbers inside `[low, high]`, about `count` of them. */
export function linearTicks(low: number, high: number, count = 5): number[] {
  const lo = Math.min(low, high);
  const hi = Math.max(low, high);
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, count);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  // A span far below the size of its ends (500 .. 500 + 1e-13) has no round numbers inside that
  // float64 can tell apart: k / step passes 2^53, where k++ no longer changes k. Show the ends.
  // So has a span that overflows float64 (-1e308 .. 1e308).
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || !(step > 0 && step < Number.POSITIVE_INFINITY) || last - first > 10 * Math.max(1, count) + 2) return [lo, hi];
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(cleanZero(k * step));
  return ticks;
}

/** Powers of ten inside `[low, high]` (both > 0); 1-2-5 multiples when fewer than two fit. */
export function logTicks(low: number, high: number): number[] {
  const lo = Math.min(low, high);
  const hi = Math.max(low, high);
  const first = Math.ceil(Math.log10(lo) - 1e-9);
  const last = Math.floor(Math.log10(hi) + 1e-9);
  const ticks: number[] = [];
  const stride = Math.max(1, Math.ceil((last - first + 1) / 8));
  for (let k = first; k <= last; k += stride) ticks.push(10 ** k);
  if (ticks.length >= 2) return ticks;
  const dense: number[] = [];
  for (let k = first - 1; k <= last; k++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) dense.push(v);
    }
  }
  return dense.length >= 2 ? dense : [lo, hi];
}

/** Extend `[low, high]` outwards to multiples of the nice step (for data-driven axes). */
export function niceDomain(low: number, high: number, count = 5): [number, number] {
  if (!(high > low)) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    return [low - pad, high + pad];
  }
  const step = niceStep(high - low, count);
  return [cleanZero(Math.floor(low / step + 1e-9) * step), cleanZero(Math.ceil(high / step - 1e-9) * step)];
}

function cleanZero(value: number): number {
  return Object.is(value, -0) ? 0 : value;
}

/** A short label for a tick value; `step` (the spacing of neighbouring ticks) fixes the decimals. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-4) {
    const exponent = Math.floor(Math.log10(magnitude) + 1e-12);
    const mantissa = Number((value / 10 ** exponent).toFixed(2));
    return `${mantissa}e${exponent}`;
  }
  const decimals = step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 2;
  return value.toFixed(decimals);
}

/** Resolve user ticks (numbers or `{ value, label }`) or generate them, with labels. */
export function resolveTicks(
  given: readonly Tick[] | undefined,
  domain: readonly [number, number],
  log: boolean,
  count: number,
): Array<{ value: number; label: string }> {
  const values = given
    ? given.map((t) => (typeof t === 'number' ? t : t.value))
    : log
      ? logTicks(domain[0], domain[1])
      : linearTicks(domain[0], domain[1], count);
  let step = 0;
  for (let k = 1; k < values.length; k++) {
    const gap = Math.abs(values[k]! - values[k - 1]!);
    if (gap > 0 && (step === 0 || gap < step)) step = gap;
  }
  return values.map((value, k) => {
    const tick = given?.[k];
    const label =
      tick !== undefined && typeof tick !== 'number'
        ? tick.label
        : log
          ? formatTick(value, value)
          : formatTick(value, step || Math.abs(value) || 1);
    return { value, label };
  });
}
