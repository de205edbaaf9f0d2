import type { OnnxModel } from '@descramble/io';
import { writeOnnx } from '@descramble/io';
import { InvalidArgumentError, netsScope, OptionalDependencyError } from '../errors.js';

/**
 * The part of ONNX Runtime's JavaScript API that this package uses. `onnxruntime-node` (Node,
 * the CLI) and `onnxruntime-web` (the browser, WebAssembly) both provide it: pass either module
 * object where a function asks for an `OnnxRuntime`. Nothing here imports either statically.
 */
export interface OnnxRuntime {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: RuntimeSessionOptions): Promise<RuntimeSession>;
  };
  readonly Tensor: new (type: RuntimeTensorType, data: RuntimeTensorData, dims: readonly number[]) => RuntimeTensor;
}

/** Element types this package feeds and reads. */
export type RuntimeTensorType = 'float32' | 'float64' | 'int64' | 'int32';
/** Data of a runtime tensor of one of those types. */
export type RuntimeTensorData = Float32Array | Float64Array | BigInt64Array | Int32Array;

/** A tensor handed to or returned by a session. */
export interface RuntimeTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

/** A loaded model. */
export interface RuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, RuntimeTensor>, fetches?: readonly string[]): Promise<Record<string, RuntimeTensor>>;
  release(): Promise<void>;
}

/** Session options both runtimes accept. */
export interface RuntimeSessionOptions {
  readonly intraOpNumThreads?: number;
  /** Threads for running independent nodes in parallel (onnxruntime-node; the web runtime ignores it). */
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly executionProviders?: readonly string[];
}

/**
 * How to add ONNX Runtime. Its install script would fetch GPU libraries from outside the npm
 * registry (and fails offline); the CPU binaries are in the package, so the script is skipped.
 */
export const ONNX_RUNTIME_INSTRUCTIONS =
  'Install it beside descramble without its GPU download: `npm install onnxruntime-node --onnxruntime-node-install=skip` ' +
  '(add -g for a global descramble; with pnpm, list `onnxruntime-node: false` under `allowBuilds`). In a browser, pass the `onnxruntime-web` module.';

/**
 * Loads `onnxruntime-node`, which `@descramble/nets` declares as an optional peer dependency;
 * throws `OptionalDependencyError` (whose message says how to add it) when it is missing.
 */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  const specifier = 'onnxruntime-node';
  let module: { default?: unknown } & Record<string, unknown>;
  try {
    module = await import(/* @vite-ignore */ specifier);
  } catch {
    throw new OptionalDependencyError({ operation: 'loadOnnxRuntime', dependency: specifier, instructions: ONNX_RUNTIME_INSTRUCTIONS });
  }
  // CommonJS through ESM: the API may sit on the namespace or on its default export
  const api = (typeof module.InferenceSession === 'function' ? module : module.default) as OnnxRuntime | undefined;
  if (api === undefined || typeof api.InferenceSession?.create !== 'function') {
    throw new OptionalDependencyError({ operation: 'loadOnnxRuntime', dependency: specifier, instructions: `the installed ${specifier} does not export InferenceSession. ${ONNX_RUNTIME_INSTRUCTIONS}` });
  }
  return api;
}

/**
 * The model's bytes with `names` added to the graph outputs (after the existing ones, each
 * once, element type and shape left to the runtime): how any intermediate tensor is captured.
 * The model itself is not modified.
 */
export function withGraphOutputs(model: OnnxModel, names: readonly string[]): Uint8Array {
  const produced = new Set(model.graph.nodes.flatMap((node) => node.outputs));
  const existing = new Set(model.graph.outputs.map((output) => output.name));
  const added = [];
  for (const name of names) {
    if (existing.has(name)) continue;
    if (!produced.has(name)) {
      throw new InvalidArgumentError({ operation: 'withGraphOutputs', argument: 'names', what: `${JSON.stringify(name)} is produced by no node of the graph`, ...netsScope });
    }
    existing.add(name);
    added.push({ name, dtype: null, shape: null });
  }
  return writeOnnx({ ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...added] } });
}

/**
 * The shape of every value the graph computes (node outputs and graph inputs), read by running
 * the model once on `feeds` with every value as an output. Use a small batch (2 samples, say,
 * so that the batch axis is told apart from a unit axis).
 */
export async function valueShapes(runtime: OnnxRuntime, model: OnnxModel, feeds: Record<string, RuntimeTensor>): Promise<Map<string, number[]>> {
  const names = [...new Set(model.graph.nodes.flatMap((node) => node.outputs.filter((name) => name !== '')))];
  const session = await runtime.InferenceSession.create(withGraphOutputs(model, names));
  try {
    const outputs = await session.run(feeds);
    const shapes = new Map<string, number[]>();
    for (const [name, tensor] of Object.entries(feeds)) shapes.set(name, [...tensor.dims]);
    for (const [name, tensor] of Object.entries(outputs)) shapes.set(name, [...tensor.dims]);
    return shapes;
  } finally {
    await session.release();
  }
}
