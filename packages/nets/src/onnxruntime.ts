import { OptionalDependencyError } from './errors.js';

/**
 * How to add ONNX Runtime for graphs beyond this package's layers. It is deliberately not a
 * dependency: `onnxruntime-node` is about 250 MB and its install script downloads binaries.
 */
export const ONNX_RUNTIME_INSTRUCTIONS =
  'Arbitrary ONNX graphs need ONNX Runtime, which @descramble/nets does not install (about 250 MB, with an install script). ' +
  'Add it to your project with `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` (the package ships its CPU binaries; ' +
  'the script only fetches optional GPU ones), or with pnpm add `onnxruntime-node` and allow or skip its build in `allowBuilds` ' +
  '(pnpm-workspace.yaml). Then run the model with `InferenceSession.create(bytes)`; to capture an intermediate tensor, add its ' +
  'value name to the graph outputs before creating the session.';

/**
 * Loads `onnxruntime-node` if the application installed it; otherwise throws
 * `OptionalDependencyError` whose message says how to add it (`ONNX_RUNTIME_INSTRUCTIONS`).
 * This package never imports it statically.
 */
export async function loadOnnxRuntime(): Promise<unknown> {
  const specifier = 'onnxruntime-node';
  try {
    return await import(/* @vite-ignore */ specifier);
  } catch {
    throw new OptionalDependencyError('loadOnnxRuntime', specifier, ONNX_RUNTIME_INSTRUCTIONS);
  }
}
