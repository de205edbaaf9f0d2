// WebAssembly SIMD kernels of @descramble/linalg, compiled by AssemblyScript
// (`pnpm run build:wasm`, see scripts/build-wasm.mjs) into src/wasm/kernels-wasm.ts.
// Every function works on raw pointers into the module's memory, which the JS side manages
// (src/wasm/kernels.ts). The pure-JS versions of the same loops live beside their callers and
// are used when WebAssembly SIMD is unavailable.

/**
 * Macro-kernel of the packed gemm: C[0 : 4 mBlocks, 0 : 4 nBlocks] += Apacked^T Bpacked.
 * Packed A: block ib holds kc steps of 4 row values; packed B: block jb holds kc steps of
 * 4 column values. C is row-major with row stride `ldc` (doubles), padded to whole tiles.
 * With `upper` != 0, tiles entirely below the diagonal of the global matrix
 * (row offset ic, column offset jc) are skipped.
 */
export function gemmBlock(
  kc: i32,
  mBlocks: i32,
  nBlocks: i32,
  ap: usize,
  bp: usize,
  c: usize,
  ldc: i32,
  upper: i32,
  ic: i32,
  jc: i32,
): void {
  const panel: usize = (<usize>kc) << 5; // kc * 4 doubles * 8 bytes
  const rowBytes: usize = (<usize>ldc) << 3;
  for (let jb = 0; jb < nBlocks; jb++) {
    const bj: usize = bp + <usize>jb * panel;
    const j0 = jc + (jb << 2);
    for (let ib = 0; ib < mBlocks; ib++) {
      const i0 = ic + (ib << 2);
      if (upper != 0 && i0 > j0 + 3) break;
      let pa: usize = ap + <usize>ib * panel;
      let pb: usize = bj;
      const end: usize = pa + panel;
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
      let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
      let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
      while (pa < end) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let a = v128.load64_splat(pa);
        c00 = f64x2.add(c00, f64x2.mul(a, b0));
        c01 = f64x2.add(c01, f64x2.mul(a, b1));
        a = v128.load64_splat(pa, 8);
        c10 = f64x2.add(c10, f64x2.mul(a, b0));
        c11 = f64x2.add(c11, f64x2.mul(a, b1));
        a = v128.load64_splat(pa, 16);
        c20 = f64x2.add(c20, f64x2.mul(a, b0));
        c21 = f64x2.add(c21, f64x2.mul(a, b1));
        a = v128.load64_splat(pa, 24);
        c30 = f64x2.add(c30, f64x2.mul(a, b0));
        c31 = f64x2.add(c31, f64x2.mul(a, b1));
        pa += 32;
        pb += 32;
      }
      let o: usize = c + <usize>(ib << 2) * rowBytes + (<usize>(jb << 2) << 3);
      v128.store(o, f64x2.add(v128.load(o), c00));
      v128.store(o, f64x2.add(v128.load(o, 16), c01), 16);
      o += rowBytes;
      v128.store(o, f64x2.add(v128.load(o), c10));
      v128.store(o, f64x2.add(v128.load(o, 16), c11), 16);
      o += rowBytes;
      v128.store(o, f64x2.add(v128.load(o), c20));
      v128.store(o, f64x2.add(v128.load(o, 16), c21), 16);
      o += rowBytes;
      v128.store(o, f64x2.add(v128.load(o), c30));
      v128.store(o, f64x2.add(v128.load(o, 16), c31), 16);
    }
  }
}

/**
 * One fused sweep of the Householder tridiagonalisation over rows lo..n-1 of the n x n
 * row-major matrix at `a`, columns lo..n-1:
 * mode 0: a_ij -= v_i w_j + w_i v_j and pn_i = tn * sum_j a_ij vn_j (updated values);
 * mode 1: update only; mode 2: pn_i = tn * sum_j a_ij vn_j only.
 */
export function tridiagonalSweep(a: usize, n: i32, lo: i32, v: usize, w: usize, vn: usize, pn: usize, tn: f64, mode: i32): void {
  for (let i = lo; i < n; i++) {
    const row: usize = a + ((<usize>i * <usize>n) << 3);
    const vi = load<f64>(v + (<usize>i << 3));
    const wi = load<f64>(w + (<usize>i << 3));
    const vis = f64x2.splat(vi);
    const wis = f64x2.splat(wi);
    let acc = f64x2.splat(0);
    let tail: f64 = 0;
    let j = lo;
    if (mode == 0) {
      for (; j + 1 < n; j += 2) {
        const off: usize = <usize>j << 3;
        const x = f64x2.sub(f64x2.sub(v128.load(row + off), f64x2.mul(vis, v128.load(w + off))), f64x2.mul(wis, v128.load(v + off)));
        v128.store(row + off, x);
        acc = f64x2.add(acc, f64x2.mul(x, v128.load(vn + off)));
      }
      if (j < n) {
        const off: usize = <usize>j << 3;
        const x = load<f64>(row + off) - vi * load<f64>(w + off) - wi * load<f64>(v + off);
        store<f64>(row + off, x);
        tail = x * load<f64>(vn + off);
      }
    } else if (mode == 1) {
      for (; j + 1 < n; j += 2) {
        const off: usize = <usize>j << 3;
        const x = f64x2.sub(f64x2.sub(v128.load(row + off), f64x2.mul(vis, v128.load(w + off))), f64x2.mul(wis, v128.load(v + off)));
        v128.store(row + off, x);
      }
      if (j < n) {
        const off: usize = <usize>j << 3;
        store<f64>(row + off, load<f64>(row + off) - vi * load<f64>(w + off) - wi * load<f64>(v + off));
      }
    } else {
      for (; j + 1 < n; j += 2) {
        const off: usize = <usize>j << 3;
        acc = f64x2.add(acc, f64x2.mul(v128.load(row + off), v128.load(vn + off)));
      }
      if (j < n) {
        const off: usize = <usize>j << 3;
        tail = load<f64>(row + off) * load<f64>(vn + off);
      }
    }
    if (mode != 1) {
      store<f64>(pn + (<usize>i << 3), tn * (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1) + tail));
    }
  }
}

/** Plane rotation of two rows of length len: x <- c x + s y, y <- c y - s x. */
export function rotateRows(x: usize, y: usize, len: i32, c: f64, s: f64): void {
  const cs = f64x2.splat(c);
  const ss = f64x2.splat(s);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const off: usize = <usize>j << 3;
    const xv = v128.load(x + off);
    const yv = v128.load(y + off);
    v128.store(x + off, f64x2.add(f64x2.mul(cs, xv), f64x2.mul(ss, yv)));
    v128.store(y + off, f64x2.sub(f64x2.mul(cs, yv), f64x2.mul(ss, xv)));
  }
  if (j < len) {
    const off: usize = <usize>j << 3;
    const xs = load<f64>(x + off);
    const ys = load<f64>(y + off);
    store<f64>(x + off, c * xs + s * ys);
    store<f64>(y + off, c * ys - s * xs);
  }
}

/** sum_i x_i y_i over len doubles. */
export function dot(x: usize, y: usize, len: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let j = 0;
  for (; j + 3 < len; j += 4) {
    const off: usize = <usize>j << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(x + off), v128.load(y + off)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(x + off, 16), v128.load(y + off, 16)));
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; j < len; j++) {
    const off: usize = <usize>j << 3;
    s += load<f64>(x + off) * load<f64>(y + off);
  }
  return s;
}

/** y += alpha x over len doubles. */
export function axpy(alpha: f64, x: usize, y: usize, len: i32): void {
  const a = f64x2.splat(alpha);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const off: usize = <usize>j << 3;
    v128.store(y + off, f64x2.add(v128.load(y + off), f64x2.mul(a, v128.load(x + off))));
  }
  if (j < len) {
    const off: usize = <usize>j << 3;
    store<f64>(y + off, load<f64>(y + off) + alpha * load<f64>(x + off));
  }
}

/**
 * Replays a log of row operations on a row-major matrix (rows of `rowLength` doubles at `base`),
 * one strip of 8 columns at a time so every row is read from memory once per replay. Each op is
 * 4 doubles (i, j, c, s): j >= 0 rotates rows i, j (x_i <- c x_i + s x_j, x_j <- c x_j - s x_i);
 * j == -1 negates row i; j <= -2 swaps rows i and -2 - j. Chains of rotations
 * (i, i+1), (i+1, i+2), ... (one QR sweep) keep the carried row in registers.
 */
export function applyRowOps(base: usize, rowLength: i32, ops: usize, count: i32, chains: usize): void {
  const rowBytes: usize = (<usize>rowLength) << 3;
  const full = rowLength & ~7;
  // chains[t] = length of the rotation chain starting at op t (0 when op t is not a chain rotation).
  for (let t = count - 1; t >= 0; t--) {
    const op: usize = ops + ((<usize>t) << 5);
    const i = <i32>load<f64>(op);
    const j = <i32>load<f64>(op, 8);
    let length = 0;
    if (j == i + 1) {
      length = 1;
      if (t + 1 < count) {
        const next: usize = op + 32;
        if (<i32>load<f64>(next) == j && <i32>load<f64>(next, 8) == j + 1) length += load<i32>(chains + ((<usize>(t + 1)) << 2));
      }
    }
    store<i32>(chains + ((<usize>t) << 2), length);
  }
  for (let c0 = 0; c0 < full; c0 += 8) {
    const colOff: usize = base + ((<usize>c0) << 3);
    let t = 0;
    while (t < count) {
      const op: usize = ops + ((<usize>t) << 5);
      const chain = load<i32>(chains + ((<usize>t) << 2));
      if (chain > 0) {
        let x: usize = colOff + <usize>(<i32>load<f64>(op)) * rowBytes;
        let x0 = v128.load(x);
        let x1 = v128.load(x, 16);
        let x2 = v128.load(x, 32);
        let x3 = v128.load(x, 48);
        for (let r = 0; r < chain; r++) {
          const o: usize = op + ((<usize>r) << 5);
          const cs = v128.load64_splat(o, 16);
          const ss = v128.load64_splat(o, 24);
          const y: usize = x + rowBytes;
          const y0 = v128.load(y);
          const y1 = v128.load(y, 16);
          const y2 = v128.load(y, 32);
          const y3 = v128.load(y, 48);
          v128.store(x, f64x2.add(f64x2.mul(cs, x0), f64x2.mul(ss, y0)));
          v128.store(x, f64x2.add(f64x2.mul(cs, x1), f64x2.mul(ss, y1)), 16);
          v128.store(x, f64x2.add(f64x2.mul(cs, x2), f64x2.mul(ss, y2)), 32);
          v128.store(x, f64x2.add(f64x2.mul(cs, x3), f64x2.mul(ss, y3)), 48);
          x0 = f64x2.sub(f64x2.mul(cs, y0), f64x2.mul(ss, x0));
          x1 = f64x2.sub(f64x2.mul(cs, y1), f64x2.mul(ss, x1));
          x2 = f64x2.sub(f64x2.mul(cs, y2), f64x2.mul(ss, x2));
          x3 = f64x2.sub(f64x2.mul(cs, y3), f64x2.mul(ss, x3));
          x = y;
        }
        v128.store(x, x0);
        v128.store(x, x1, 16);
        v128.store(x, x2, 32);
        v128.store(x, x3, 48);
        t += chain;
      } else {
        applyOne(colOff, rowBytes, op, 8);
        t++;
      }
    }
  }
  if (full < rowLength) {
    const colOff: usize = base + ((<usize>full) << 3);
    for (let t = 0; t < count; t++) applyOne(colOff, rowBytes, ops + ((<usize>t) << 5), rowLength - full);
  }
}

function applyOne(colOff: usize, rowBytes: usize, op: usize, len: i32): void {
  const i = <i32>load<f64>(op);
  const j = <i32>load<f64>(op, 8);
  const x: usize = colOff + <usize>i * rowBytes;
  if (j >= 0) {
    rotateRows(x, colOff + <usize>j * rowBytes, len, load<f64>(op, 16), load<f64>(op, 24));
  } else if (j == -1) {
    for (let q = 0; q < len; q++) {
      const off: usize = x + ((<usize>q) << 3);
      store<f64>(off, -load<f64>(off));
    }
  } else {
    const y: usize = colOff + <usize>(-2 - j) * rowBytes;
    for (let q = 0; q < len; q++) {
      const off: usize = (<usize>q) << 3;
      const tmp = load<f64>(x + off);
      store<f64>(x + off, load<f64>(y + off));
      store<f64>(y + off, tmp);
    }
  }
}
