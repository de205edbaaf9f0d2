/// <reference lib="webworker" />
/**
 * ONNX Runtime Web (WebAssembly, CPU) in the compute worker: the same engine as the CLI's
 * onnxruntime-node. Loaded on the first capture only (a dynamic import of this module), so the
 * first view never pays for it; its 15 MB .wasm is a file of the site itself (Vite emits it
 * beside the scripts, `wasmPaths` points at it), never fetched from a CDN, and the service
 * worker does not precache it (build/precache.ts).
 */
import type { OnnxRuntime } from '@descramble/nets';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

/** How the runtime was set up, for the page to say. */
export interface WebRuntimeInfo {
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  readonly wasm: string;
}

let loaded: Promise<{ runtime: OnnxRuntime; info: WebRuntimeInfo }> | undefined;

/**
 * The onnxruntime-web module, configured once per worker. Threads need SharedArrayBuffer,
 * which browsers grant only to cross-origin-isolated pages: elsewhere one thread.
 */
export function webRuntime(): Promise<{ runtime: OnnxRuntime; info: WebRuntimeInfo }> {
  loaded ??= (async () => {
    const ort = await import('onnxruntime-web/wasm');
    const isolated = self.crossOriginIsolated === true;
    const threads = isolated ? Math.max(1, Math.min(4, self.navigator.hardwareConcurrency || 1)) : 1;
    const wasm = new URL(wasmUrl, self.location.href).href;
    ort.env.wasm.wasmPaths = { wasm };
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    return { runtime: ort as unknown as OnnxRuntime, info: { threads, crossOriginIsolated: isolated, wasm } };
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}
