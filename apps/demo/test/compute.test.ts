/**
 * The worker's computations in Node, against closed forms: the tour's layers have the singular
 * values they are built with, Theorem 2 holds in the limit view, the data view converges to it,
 * and "your model" writes files that read back to the packages' own answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isotropicDescrambler } from '@descramble/descramblers';
import { readNpy, readSafetensors, toMatrix } from '@descramble/io';
import { createRng, svd } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { deernetContext } from '../src/compute/deernet.js';
import { fileFormat, readTensorFile, UnreadableFileError } from '../src/compute/files.js';
import { descrambleModel, inspectFiles } from '../src/compute/model.js';
import {
  circulantLayer,
  isotropicSingularValues,
  smgModeStrengths,
  smgTargetStrengths,
  tourExact,
  tourFirstLook,
  tourLayer,
} from '../src/compute/tour.js';
import { TOUR_HIDDEN, TOUR_INPUTS } from '../src/compute/tour-constants.js';
import { fromWire } from '../src/compute/wire.js';
import type { TourParams } from '../src/protocol.js';

const FIXTURES = new URL('../../../fixtures/pytorch/', import.meta.url).pathname;
const EPS = Number.EPSILON;

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return worst / scale;
}

const params = (over: Partial<TourParams>): TourParams => ({ view: 'isotropic', samples: 0, operator: 'fourier', strategy: 'exact', time: 0, epochs: 0, seed: 3, ...over });

describe('tour layers', () => {
  it('the isotropic layer has exactly the singular values it is built from', () => {
    const w = tourLayer(params({}));
    expect([w.rows, w.columns]).toEqual([TOUR_HIDDEN, TOUR_INPUTS]);
    // Backward-stable SVD: error ~ c d eps ||W||.
    expect(relativeError(svd(w).s, isotropicSingularValues(TOUR_HIDDEN))).toBeLessThan(100 * TOUR_INPUTS * EPS);
  });

  it('the linear network follows the SMG closed form: a(0) = a0, a(t) -> s, increasing', () => {
    const s = smgTargetStrengths(8);
    const a0 = 1e-3;
    for (const v of smgModeStrengths(s, 0, a0)) expect(v).toBeCloseTo(a0, 15);
    const late = smgModeStrengths(s, 50, a0);
    expect(relativeError(late, s)).toBeLessThan(1e-12);
    const times = [0, 0.5, 1, 2, 4];
    for (let i = 0; i < s.length; i++) {
      const path = times.map((t) => smgModeStrengths(s, t, a0)[i]!);
      for (let k = 1; k < path.length; k++) expect(path[k]!).toBeGreaterThan(path[k - 1]!);
    }
    const w = tourLayer(params({ view: 'linear', time: 1.5 }));
    const expected = smgModeStrengths(smgTargetStrengths(TOUR_HIDDEN), 1.5).map(Math.sqrt);
    expect(relativeError(svd(w).s, expected)).toBeLessThan(100 * TOUR_INPUTS * EPS);
  });

  it('the convolution is circulant, with singular values |DFT of its kernel|', () => {
    const n = 16;
    const w = circulantLayer(n, createRng(7));
    const kernel = w.getColumn(0);
    const gains: number[] = [];
    for (let k = 0; k < n; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        re += kernel[j]! * Math.cos((2 * Math.PI * j * k) / n);
        im -= kernel[j]! * Math.sin((2 * Math.PI * j * k) / n);
      }
      gains.push(Math.hypot(re, im));
    }
    gains.sort((a, b) => b - a);
    for (let i = 1; i < n; i++) for (let j = 0; j < n; j++) expect(w.get(i, j)).toBe(w.get(i - 1, (j - 1 + n) % n));
    expect(relativeError(svd(w).s, gains)).toBeLessThan(1e-12);
  });
});

describe('tour pipeline', () => {
  it('in the limit view, P W = T Sigma V^T with a certified gap at roundoff', () => {
    const tour = tourExact(params({}));
    const { certificate } = tour.payload;
    expect(Math.abs(certificate.gap)).toBeLessThan(100 * TOUR_HIDDEN * EPS);
    const pw = fromWire(tour.payload.descrambled);
    // (P W)(P W)^T = T Sigma^2 T^T: the descrambled rows' Gram matrix has the squared singular values as eigenvalues.
    const rowGram = pw.mmul(pw.transpose());
    const sigma2 = isotropicSingularValues(TOUR_HIDDEN).map((x) => x * x);
    expect(relativeError(svd(rowGram).s, sigma2)).toBeLessThan(1e-12);
    expect(tour.payload.distanceToLimit).toBeNull();
  });

  it('with data, B has rank min(N, d) and the descrambler approaches Theorem 2 as N grows', () => {
    const few = tourExact(params({ samples: 16, operator: 'dirichlet' }));
    expect(few.payload.certificate.rankB).toBe(16);
    const many = tourExact(params({ samples: 16384, operator: 'dirichlet' }));
    expect(many.payload.certificate.rankB).toBe(TOUR_HIDDEN);
    expect(many.payload.distanceToLimit!).toBeLessThan(few.payload.distanceToLimit!);
    expect(Math.abs(many.payload.certificate.gap)).toBeLessThan(1e-12);
  });
});

describe('DEERNet first look', () => {
  it('is Lemma 1 on the first traces of the same stream the full answer uses', async () => {
    const p = params({ view: 'deernet', samples: 512, operator: 'dirichlet', seed: 1 });
    const context = await deernetContext(p);
    const first = tourFirstLook(p, context.source, 128);
    expect(first.method).toContain('first 128 of 512 simulated DEER traces');
    expect(first.certificate.rankB).toBe(80); // 128 traces: B = S S^T has full rank 80
    // Certified at roundoff: the relative gap of an 80 x 80 eigenproblem whose B spans many orders
    // of magnitude (DEER traces are strongly correlated) is ~1e-10; a wrong P gives a gap of order 1.
    expect(Math.abs(first.certificate.gap)).toBeLessThan(1e-8);
    // The full answer reuses the first look's traces: equal to a fresh stream with no first look.
    const full = tourExact(p, () => {}, context.source);
    const freshContext = await deernetContext(p);
    const fresh = tourExact(p, () => {}, freshContext.source);
    // The same 512 traces bit for bit (only the blocks differ: 128 + 256 + 128 against 256 + 256).
    expect(context.traces().count).toBe(512);
    expect(context.traces().inputs).toEqual(freshContext.traces().inputs);
    // hence the same Gram matrix up to the order of accumulation: the same optimum to roundoff. The
    // optimum weighs B's smallest eigenvalues by the largest omegas, and those eigenvalues carry an
    // absolute error ~ eps lambda_max(B): relative 1e-8 (measured 4e-10); 128 against 512 traces differ O(1).
    const optimum = fresh.payload.certificate.optimum;
    expect(Math.abs(full.payload.certificate.optimum - optimum)).toBeLessThan(1e-8 * Math.abs(optimum));
    expect(Math.abs(full.payload.certificate.value - optimum)).toBeLessThan(1e-8 * Math.abs(optimum));
    // and the first look is the exact answer for its own data (its 128 traces), not the one of all 512.
    const alone = tourExact(params({ view: 'deernet', samples: 128, operator: 'dirichlet', seed: 1 }), () => {}, (await deernetContext(p)).source);
    expect(first.descrambler.data).toEqual(alone.payload.descrambler.data);
    expect(first.certificate.optimum).not.toBe(full.payload.certificate.optimum);
  });
});

describe('your model (worker side)', () => {
  const file = (name: string) => {
    const bytes = readFileSync(join(FIXTURES, name));
    return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
  };

  it('detects formats with io (magic bytes before extensions) and names the file when it cannot', () => {
    const npy = new Uint8Array(readFileSync(join(FIXTURES, 'mlp_input.npy')));
    expect(fileFormat('anything.bin', npy)).toBe('npy');
    expect(fileFormat('x.safetensors', new Uint8Array(readFileSync(join(FIXTURES, 'mlp.safetensors'))))).toBe('safetensors');
    expect(fileFormat('weights.h5', new Uint8Array(readFileSync(join(FIXTURES, 'mlp_keras.h5'))))).toBe('hdf5');
    expect(fileFormat('m.mat', new Uint8Array(readFileSync(join(FIXTURES, 'mlp_v5.mat'))))).toBe('mat');
    expect(fileFormat('m.onnx', new Uint8Array(readFileSync(join(FIXTURES, 'mlp.onnx'))))).toBe('onnx');
    expect(() => fileFormat('notes.txt', new TextEncoder().encode('hello'))).toThrow(/notes\.txt: not a safetensors/);
    expect(() => fileFormat('notes.txt', new TextEncoder().encode('hello'))).toThrow(UnreadableFileError);
  });

  it('reads every format through io, HDF5 and MATLAB included', async () => {
    expect((await readTensorFile(file('mlp_keras.h5'))).size).toBeGreaterThan(0);
    expect((await readTensorFile(file('mlp_v5.mat'))).size).toBeGreaterThan(0);
    const onnx = await readTensorFile(file('mlp.onnx'));
    expect(onnx.get('fc1.weight')?.shape).toEqual([12, 16]);
  });

  it('names the file in the message of a malformed or empty file', async () => {
    const broken = { name: 'broken.safetensors', bytes: new TextEncoder().encode('not a safetensors file').buffer as ArrayBuffer };
    await expect(readTensorFile(broken)).rejects.toThrow(/broken\.safetensors: cannot be read as safetensors/);
    await expect(readTensorFile({ name: 'empty.npy', bytes: new ArrayBuffer(0) })).rejects.toThrow(/empty\.npy: the file is empty/);
  });

  it('lists the tensors of ONNX with external data only when the data file is given', async () => {
    const tensors = await inspectFiles([file('mlp_external.onnx'), file('mlp_external.onnx.data')]);
    expect(tensors.find((t) => t.name === 'fc1.weight')?.shape).toEqual([12, 16]);
    await expect(inspectFiles([file('mlp_external.onnx')])).rejects.toThrow(/external data/);
  });

  it('writes a descrambler that reads back equal to the packages, and says which theorem it used', async () => {
    const payload = await descrambleModel({ files: [file('mlp.safetensors')], layer: 'fc2.weight', transpose: false, operator: 'fourier' }, () => {});
    const weights = toMatrix(readSafetensors(readFileSync(join(FIXTURES, 'mlp.safetensors'))).tensors.get('fc2.weight')!);
    const expected = isotropicDescrambler(weights, { operator: 'fourier' });
    const p = readNpy(payload.downloads.descramblerNpy);
    expect(relativeError(p.data as Float64Array, expected.P.to1DArray())).toBe(0);
    expect(payload.source).toBe('isotropic');
    const report = JSON.parse(payload.downloads.report);
    expect(report.method).toBe('isotropic-theorem-2');
    expect(report.descrambling.weights.shape).toEqual([weights.rows, weights.columns]);
    expect(report.descrambling).toMatchObject({ source: 'isotropic', strategy: 'exact', gap: 0, withinRoundoff: true });
    const st = readSafetensors(payload.downloads.safetensors);
    expect(st.metadata.layer).toBe('fc2.weight');
  });

  it('rejects data whose columns do not match the layer, naming the shapes', async () => {
    await expect(
      descrambleModel(
        { files: [file('mlp.safetensors')], layer: 'fc2.weight', transpose: false, operator: 'fourier', data: file('mlp_input.npy') },
        () => {},
      ),
    ).rejects.toThrow(/no tensor with 12 columns.*mlp_input \[5, 16\]/);
  });
});

describe('band-pass signals', () => {
  it('are four unit-scale sinusoids plus noise: mean power between 4 x 0.5^2/2 and 4 x 1/2, plus noise', async () => {
    const { bandpassSignals } = await import('../src/compute/bandpass.js');
    const n = 64;
    const rows = 2000;
    const x = bandpassSignals(rows, n, 0, createRng(1));
    let power = 0;
    for (const v of x) power += v * v;
    power /= x.length;
    // Amplitudes a ~ U[0.5, 1]: E[a^2]/2 = 7/24 per sinusoid; four of them (frequencies may repeat, adding cross terms).
    expect(power).toBeGreaterThan(4 * (7 / 24) * 0.8);
    expect(power).toBeLessThan(4 * (7 / 24) * 1.5);
  });
});
