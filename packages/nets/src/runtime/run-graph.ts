import type { OnnxModel } from '@descramble/io';
import { writeOnnx } from '@descramble/io';
import { type GraphBlock, type GraphTensor, asInputType, graphInputSpecs, validateBlock } from './graph-inputs.js';
import { type OnnxRuntime, type RuntimeSessionOptions, type RuntimeTensor, withGraphOutputs } from './onnx-runtime.js';

/** Options of `runGraph`. */
export interface RunGraphOptions {
  /** Intermediate values to return besides the graph's outputs (node outputs by name). */
  readonly values?: readonly string[];
  /** Passed to `InferenceSession.create`. */
  readonly sessionOptions?: RuntimeSessionOptions;
}

/**
 * Runs the model once on `feeds` (validated like `captureGrams`' blocks: names, per-sample
 * shapes, finiteness; converted to the inputs' element types) and returns its outputs, plus the
 * asked-for intermediate `values`, by name. Float outputs keep their type; integer outputs are
 * returned as Float64Array (exact below 2^53). The model is not modified.
 */
export async function runGraph(runtime: OnnxRuntime, model: OnnxModel, feeds: GraphBlock, options: RunGraphOptions = {}): Promise<Record<string, GraphTensor>> {
  const operation = 'runGraph';
  const specs = graphInputSpecs(model, operation);
  const block = validateBlock(feeds, specs, 0, operation);
  const bytes = options.values === undefined || options.values.length === 0 ? writeOnnx(model) : withGraphOutputs(model, options.values);
  const session = await runtime.InferenceSession.create(bytes, options.sessionOptions);
  try {
    const inputs: Record<string, RuntimeTensor> = {};
    specs.forEach((spec, i) => {
      const tensor = block.tensors[i]!;
      inputs[spec.name] = new runtime.Tensor(spec.dtype, asInputType(tensor, spec), tensor.dims);
    });
    const outputs = await session.run(inputs);
    const result: Record<string, GraphTensor> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      const data = tensor.data;
      const floats = data instanceof Float32Array || data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number | bigint>, Number);
      result[name] = { data: floats, dims: [...tensor.dims] };
    }
    return result;
  } finally {
    await session.release();
  }
}
