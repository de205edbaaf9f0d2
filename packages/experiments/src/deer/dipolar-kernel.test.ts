import { describe, expect, it } from 'vitest';
import { dipolarKernel, dipolarKernelMatrix, dipolarKernelOfPhase } from './dipolar-kernel.js';
import { fresnel } from './fresnel.js';
import { distanceRange, linspace } from './grids.js';

/** Gauss-Legendre nodes and weights on [0, 1] by Newton's method on P_n (the test oracle). */
function gaussLegendreUnit(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = 0.5 * (1 - x);
    weights[i] = 1 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

/** K(phi) = int_0^1 cos(phi (1 - 3 x^2)) dx by Gauss-Legendre with 3 phi / pi + 50 nodes or more. */
function kernelByQuadrature(phi: number): number {
  const { nodes, weights } = gaussLegendreUnit(Math.ceil((3 * phi) / Math.PI) + 60);
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) {
    const x = nodes[i] as number;
    sum += (weights[i] as number) * Math.cos(phi * (1 - 3 * x * x));
  }
  return sum;
}

describe('fresnel', () => {
  it('matches the reference values of docs/deer.md (scipy.special.fresnel) to 1e-12', () => {
    expect(Math.abs(fresnel(1).c - 0.779893400377)).toBeLessThan(1e-12);
    expect(Math.abs(fresnel(1).s - 0.43825914739)).toBeLessThan(1e-11);
    expect(Math.abs(fresnel(5).c - 0.563631188704)).toBeLessThan(1e-12);
    expect(Math.abs(fresnel(5).s - 0.499191381917)).toBeLessThan(1e-12);
  });

  it('is odd, continuous across the series/continued-fraction switch, and tends to 1/2', () => {
    expect(fresnel(-2).c).toBe(-fresnel(2).c);
    const below = fresnel(1.5 - 1e-12);
    const above = fresnel(1.5 + 1e-12);
    expect(Math.abs(below.c - above.c)).toBeLessThan(1e-11);
    expect(Math.abs(below.s - above.s)).toBeLessThan(1e-11);
    const far = fresnel(1e4);
    expect(Math.abs(far.c - 0.5)).toBeLessThan(1e-4);
    expect(Math.abs(far.s - 0.5)).toBeLessThan(1e-4);
  });
});

describe('dipolarKernel', () => {
  it('equals the test values of docs/deer.md to 1e-9', () => {
    const cases: Array<[number, number]> = [
      [Math.PI / 2, 0.298666251361],
      [Math.PI, -0.206835552407],
      [2 * Math.PI, 0.143641073378],
      [10, -0.143151268281],
      [100, 0.011421573622],
    ];
    for (const [phi, expected] of cases) {
      expect(Math.abs(dipolarKernelOfPhase(phi) - expected)).toBeLessThan(1e-9);
    }
    expect(Math.abs(dipolarKernel(1, 3) - 0.0365876721)).toBeLessThan(1e-9);
  });

  it('is 1 at t = 0 and follows its Taylor series near zero', () => {
    expect(dipolarKernelOfPhase(0)).toBe(1);
    for (const phi of [1e-3, 0.05, 0.0999]) {
      const series = 1 - 0.4 * phi ** 2 + (2 / 35) * phi ** 4 - 0.0047064 * phi ** 6;
      expect(Math.abs(dipolarKernelOfPhase(phi) - series)).toBeLessThan(1e-10);
    }
    // Both branches agree where they meet.
    expect(Math.abs(dipolarKernelOfPhase(0.1 - 1e-13) - dipolarKernelOfPhase(0.1))).toBeLessThan(1e-12);
  });

  it('agrees with Gauss-Legendre quadrature at 200 points (t, r) of the training grid to 1e-8', () => {
    const { rMin, rMax } = distanceRange(2, 256);
    const golden = (Math.sqrt(5) - 1) / 2;
    const plastic = 0.7548776662466927;
    let worst = 0;
    for (let k = 1; k <= 200; k++) {
      // A low-discrepancy (Kronecker) sequence covers the (t, r) rectangle evenly.
      const t = 2 * ((k * golden) % 1);
      const r = rMin + (rMax - rMin) * ((k * plastic) % 1);
      const phi = (326.98334705688 * t) / r ** 3;
      worst = Math.max(worst, Math.abs(dipolarKernel(t, r) - kernelByQuadrature(phi)));
    }
    expect(worst).toBeLessThan(1e-8);
  });

  it('follows the large-phase asymptote', () => {
    for (const phi of [150, 400, 1000]) {
      const asymptote =
        0.5 * Math.sqrt(Math.PI / (6 * phi)) * (Math.cos(phi) + Math.sin(phi)) + Math.sin(2 * phi) / (6 * phi);
      expect(Math.abs(dipolarKernelOfPhase(phi) - asymptote)).toBeLessThan(2e-5 / Math.sqrt(phi));
    }
  });

  it('builds the kernel matrix on the grid and rejects non-positive distances', () => {
    const times = linspace(0, 2, 5);
    const distances = linspace(2, 4, 3);
    const kernel = dipolarKernelMatrix(times, distances);
    expect(kernel.rows).toBe(5);
    expect(kernel.columns).toBe(3);
    expect(kernel.get(0, 1)).toBe(1);
    expect(kernel.get(3, 2)).toBe(dipolarKernel(1.5, 4));
    expect(() => dipolarKernel(1, 0)).toThrow(RangeError);
  });
});

describe('distanceRange', () => {
  it('gives 1.1775 to 5.9265 nm for 256 points over 2 us (docs/deer.md)', () => {
    const { rMin, rMax } = distanceRange(2, 256);
    expect(Math.abs(rMin - 1.1775)).toBeLessThan(5e-4);
    expect(Math.abs(rMax - 5.9265)).toBeLessThan(5e-4);
    // The defining rules: omega(r_max) t_max = pi and omega(r_min) dt = pi / 2.
    expect(Math.abs((326.98334705688 / rMax ** 3) * 2 - Math.PI)).toBeLessThan(1e-12);
    expect(Math.abs((326.98334705688 / rMin ** 3) * (2 / 255) - Math.PI / 2)).toBeLessThan(1e-12);
  });
});
