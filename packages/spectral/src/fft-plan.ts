/**
 * FFT plans of any length: the kernel layer of this package.
 *
 * Data are interleaved complex `Float64Array`s (`[re0, im0, re1, im1, ...]`), exactly
 * `2 n` long; `out` must not alias `input`. Kernels neither validate nor allocate per call.
 *
 * - n a power of two (>= 2): fft.js's radix-4 transform.
 * - n = 1: the identity.
 * - any other n: Bluestein's algorithm on an fft.js transform of length
 *   m = nextPowerOfTwo(2 n - 1). With the chirp c_k = exp(-i pi k^2 / n),
 *   `X_k = c_k * sum_j (x_j c_j) conj(c_{k-j})`, a linear convolution evaluated as a
 *   circular one of length m. The chirp (argument reduced as `k^2 mod 2n` so that it stays
 *   exact for large k) and the transformed filter `FFT_m(conj c) / m` are computed once per
 *   length and cached with the plan.
 *
 * Conventions are numpy's: `forward` is unnormalised, `inverse` carries the 1/n.
 */
import FFT from 'fft.js';

/** A precomputed transform of one length. Not re-entrant (owns scratch buffers); JS is single-threaded. */
export interface FftPlan {
  readonly n: number;
  /** `out_k = sum_j input_j exp(-2 pi i j k / n)`. */
  forward(out: Float64Array, input: Float64Array): void;
  /** `out_j = (1/n) sum_k input_k exp(+2 pi i j k / n)`. */
  inverse(out: Float64Array, input: Float64Array): void;
}

/** True when n is a power of two (n >= 1). */
export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && (n & (n - 1)) === 0;
}

/** Smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

class IdentityPlan implements FftPlan {
  readonly n = 1;
  forward(out: Float64Array, input: Float64Array): void {
    out[0] = input[0]!;
    out[1] = input[1]!;
  }
  inverse(out: Float64Array, input: Float64Array): void {
    out[0] = input[0]!;
    out[1] = input[1]!;
  }
}

const fftInstances = new Map<number, FFT>();

/** One fft.js instance per power-of-two length, shared by direct plans and Bluestein plans. */
function fftInstance(m: number): FFT {
  let instance = fftInstances.get(m);
  if (instance === undefined) {
    instance = new FFT(m);
    fftInstances.set(m, instance);
  }
  return instance;
}

class PowerOfTwoPlan implements FftPlan {
  readonly n: number;
  private readonly fft: FFT;

  constructor(n: number) {
    this.n = n;
    this.fft = fftInstance(n);
  }
  forward(out: Float64Array, input: Float64Array): void {
    this.fft.transform(out, input);
  }
  inverse(out: Float64Array, input: Float64Array): void {
    // fft.js's inverse already divides by n (numpy's convention).
    this.fft.inverseTransform(out, input);
  }
}

class BluesteinPlan implements FftPlan {
  readonly n: number;
  /** Padded convolution length (a power of two >= 2n - 1). */
  readonly m: number;
  private readonly fft: FFT;
  /** c_k = exp(-i pi k^2 / n), interleaved, length 2n. */
  private readonly chirp: Float64Array;
  /** FFT_m of the filter b (b_k = b_{m-k} = conj c_k), divided by m; interleaved, length 2m. */
  private readonly filter: Float64Array;
  /** Padded input; entries 2n..2m stay zero for the plan's lifetime. */
  private readonly work: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly convolution: Float64Array;

  constructor(n: number) {
    this.n = n;
    const m = nextPowerOfTwo(2 * n - 1);
    this.m = m;
    this.fft = fftInstance(m);
    const chirp = new Float64Array(2 * n);
    const twoN = 2 * n;
    for (let k = 0; k < n; k++) {
      // k^2 mod 2n is exact in doubles for n < 2^26; the reduction keeps the angle in [0, 2 pi).
      const reduced = (k * k) % twoN;
      const angle = (Math.PI * reduced) / n;
      chirp[2 * k] = Math.cos(angle);
      chirp[2 * k + 1] = -Math.sin(angle);
    }
    this.chirp = chirp;
    const b = new Float64Array(2 * m);
    b[0] = chirp[0]!;
    b[1] = -chirp[1]!;
    for (let k = 1; k < n; k++) {
      const re = chirp[2 * k]!;
      const im = -chirp[2 * k + 1]!;
      b[2 * k] = re;
      b[2 * k + 1] = im;
      b[2 * (m - k)] = re;
      b[2 * (m - k) + 1] = im;
    }
    const filter = new Float64Array(2 * m);
    this.fft.transform(filter, b);
    const scale = 1 / m;
    for (let i = 0; i < 2 * m; i++) filter[i]! *= scale;
    this.filter = filter;
    this.work = new Float64Array(2 * m);
    this.spectrum = new Float64Array(2 * m);
    this.convolution = new Float64Array(2 * m);
  }

  forward(out: Float64Array, input: Float64Array): void {
    this.run(out, input, 1, 1);
  }

  inverse(out: Float64Array, input: Float64Array): void {
    // ifft(x) = conj(fft(conj(x))) / n
    this.run(out, input, -1, 1 / this.n);
  }

  /** out = scale * conjSign(fft(conjSign(input))) where conjSign conjugates when sign = -1. */
  private run(out: Float64Array, input: Float64Array, sign: number, scale: number): void {
    const { n, m, chirp, filter, work, spectrum, convolution } = this;
    for (let k = 0; k < n; k++) {
      const xr = input[2 * k]!;
      const xi = sign * input[2 * k + 1]!;
      const cr = chirp[2 * k]!;
      const ci = chirp[2 * k + 1]!;
      work[2 * k] = xr * cr - xi * ci;
      work[2 * k + 1] = xr * ci + xi * cr;
    }
    this.fft.transform(spectrum, work);
    // Multiply by the filter and conjugate, so that a forward transform computes the
    // (conjugated) inverse: IFFT_m(y) = conj(FFT_m(conj y)) / m, with 1/m folded into the filter.
    for (let k = 0; k < m; k++) {
      const sr = spectrum[2 * k]!;
      const si = spectrum[2 * k + 1]!;
      const fr = filter[2 * k]!;
      const fi = filter[2 * k + 1]!;
      spectrum[2 * k] = sr * fr - si * fi;
      spectrum[2 * k + 1] = -(sr * fi + si * fr);
    }
    this.fft.transform(convolution, spectrum);
    for (let k = 0; k < n; k++) {
      const yr = convolution[2 * k]!;
      const yi = -convolution[2 * k + 1]!;
      const cr = chirp[2 * k]!;
      const ci = chirp[2 * k + 1]!;
      out[2 * k] = scale * (yr * cr - yi * ci);
      out[2 * k + 1] = sign * scale * (yr * ci + yi * cr);
    }
  }
}

const plans = new Map<number, FftPlan>();

/** At most this many plans are kept; the least recently used is dropped beyond it. */
export const MAX_CACHED_PLANS = 64;

/**
 * The cached plan for length n (a positive integer; not validated here). Plans are kept in a
 * least-recently-used cache of `MAX_CACHED_PLANS` lengths (a 1000-point Bluestein plan holds
 * about 100 kB); `clearFftPlanCache` frees them all.
 */
export function fftPlan(n: number): FftPlan {
  let plan = plans.get(n);
  if (plan === undefined) {
    plan = n === 1 ? new IdentityPlan() : isPowerOfTwo(n) ? new PowerOfTwoPlan(n) : new BluesteinPlan(n);
    if (plans.size >= MAX_CACHED_PLANS) {
      const oldest = plans.keys().next().value;
      if (oldest !== undefined) plans.delete(oldest);
    }
  } else {
    // Refresh its position: Map iteration order is insertion order.
    plans.delete(n);
  }
  plans.set(n, plan);
  return plan;
}

/** Drops every cached FFT plan (chirps, filters, fft.js tables). */
export function clearFftPlanCache(): void {
  plans.clear();
  fftInstances.clear();
}

/** Number of cached plans (for tests and diagnostics). */
export function fftPlanCacheSize(): number {
  return plans.size;
}
