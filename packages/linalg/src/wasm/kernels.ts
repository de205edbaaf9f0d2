import { kernelsWasmBase64 } from './kernels-wasm.js';

/** Exports of assembly/kernels.ts (pointers are byte offsets into `memory`). */
export interface WasmKernels {
  readonly memory: WebAssembly.Memory;
  gemmBlock(
    kc: number,
    mBlocks: number,
    nBlocks: number,
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    upper: number,
    ic: number,
    jc: number,
  ): void;
  tridiagonalSweep(a: number, n: number, lo: number, v: number, w: number, vn: number, pn: number, tn: number, mode: number): void;
  rotateRows(x: number, y: number, len: number, c: number, s: number): void;
  dot(x: number, y: number, len: number): number;
  axpy(alpha: number, x: number, y: number, len: number): void;
  applyRowOps(base: number, rowLength: number, ops: number, count: number, chains: number): void;
}

/** Which implementation runs the hot loops. */
export type KernelBackend = 'wasm' | 'js';

/** First byte the JS side hands out (the module's own data stays below). */
export const ARENA_BASE_BYTES = 65536;
/** Doubles reserved from ARENA_BASE_BYTES on for gemm's packing buffers (MC*KC + KC*NC + MC*NC). */
export const GEMM_SCRATCH_DOUBLES = 64 * 256 + 256 * 1024 + 64 * 1024;
/** First byte for callers that keep data in wasm memory while calling gemm. */
export const TAIL_BASE_BYTES = ARENA_BASE_BYTES + GEMM_SCRATCH_DOUBLES * 8;

let instance: WasmKernels | null | undefined;
let requested: KernelBackend = defaultBackend();

function defaultBackend(): KernelBackend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.DESCRAMBLE_LINALG_KERNELS === 'js' ? 'js' : 'wasm';
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function instantiate(): WasmKernels | null {
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const bytes = decodeBase64(kernelsWasmBase64);
    if (!WebAssembly.validate(bytes)) return null; // e.g. no SIMD support
    const module = new WebAssembly.Module(bytes);
    const created = new WebAssembly.Instance(module, {
      env: {
        abort: () => {
          throw new Error('linalg: wasm kernel aborted');
        },
      },
    });
    return created.exports as unknown as WasmKernels;
  } catch {
    return null;
  }
}

/** The WebAssembly SIMD kernels, or null when disabled or unsupported (then JS loops run). */
export function wasmKernels(): WasmKernels | null {
  if (requested === 'js') return null;
  if (instance === undefined) instance = instantiate();
  return instance;
}

/**
 * Chooses the implementation of the hot loops: `'wasm'` (WebAssembly SIMD built from
 * assembly/kernels.ts, the default where supported) or `'js'` (plain TypeScript). Both give
 * results within rounding of each other. The environment variable
 * `DESCRAMBLE_LINALG_KERNELS=js` selects JS at start-up.
 */
export function setKernelBackend(backend: KernelBackend): void {
  requested = backend;
}

/** The implementation actually in use (`'js'` when wasm was requested but is unavailable). */
export function kernelBackend(): KernelBackend {
  return wasmKernels() === null ? 'js' : 'wasm';
}

let view: Float64Array | null = null;

/**
 * A Float64Array over the wasm memory with at least `doubles` doubles available from
 * ARENA_BASE_BYTES on (grows the memory if needed). Views are invalidated by growth, so call
 * this before taking sub-views, and do not hold views across calls that may grow it.
 */
export function arena(kernels: WasmKernels, doubles: number): Float64Array {
  const needed = ARENA_BASE_BYTES + doubles * 8;
  const memory = kernels.memory;
  if (memory.buffer.byteLength < needed) {
    memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  }
  if (view === null || view.buffer !== memory.buffer) view = new Float64Array(memory.buffer);
  return view;
}
