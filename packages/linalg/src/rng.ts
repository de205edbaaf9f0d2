import { InvalidArgumentError } from './errors.js';

/** A seeded deterministic pseudo-random generator (xoshiro128**, seeded through splitmix32). */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal (Box-Muller, both values used). */
  normal(): number;
  /** `length` uniform doubles in [0, 1). */
  uniformArray(length: number): Float64Array;
  /** `length` standard normal doubles. */
  normalArray(length: number): Float64Array;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a seeded generator. The same integer seed gives the same sequence on every platform.
 * `seed` must be a safe integer (negative allowed).
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError({ operation: 'createRng', argument: 'seed', what: `expected a safe integer, got ${seed}`, scope: 'linalg' });
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  const mix = splitmix32(low ^ Math.imul(high, 0x27d4eb2d));
  let s0 = mix();
  let s1 = mix() ^ high;
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let spare = 0;
  let hasSpare = false;

  const uint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const uniform = (): number => {
    const hi = uint32() >>> 5; // 27 bits
    const lo = uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    spare = radius * Math.sin(angle);
    hasSpare = true;
    return radius * Math.cos(angle);
  };
  return {
    uint32,
    uniform,
    normal,
    uniformArray(length: number): Float64Array {
      const out = new Float64Array(length);
      for (let i = 0; i < length; i++) out[i] = uniform();
      return out;
    },
    normalArray(length: number): Float64Array {
      const out = new Float64Array(length);
      for (let i = 0; i < length; i++) out[i] = normal();
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
