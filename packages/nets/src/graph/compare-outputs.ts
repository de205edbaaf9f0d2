import { type OnnxModel, writeOnnx } from '@descramble/io';
import { ShapeMismatchError } from '../errors.js';
import type { OnnxRuntime, RuntimeTensor } from '../runtime/onnx-runtime.js';

/** How far one graph output of two models differs on the same feeds. */
export interface OutputDifference {
  readonly name: string;
  /** `max |a - b|` over the entries. */
  readonly maxAbsDifference: number;
  /** `max |a|`: the output's scale. */
  readonly scale: number;
  /** `maxAbsDifference / scale` (0 when both are 0): relative to the output's size, so entries near zero do not inflate it. */
  readonly relativeDifference: number;
}

/** The differences of every graph output, and the largest of them. */
export interface OutputComparison {
  readonly outputs: readonly OutputDifference[];
  readonly maxAbsDifference: number;
  readonly maxRelativeDifference: number;
}

/**
 * Runs both models on the same feeds with ONNX Runtime and compares their graph outputs (the
 * outputs of `a`, looked up by name in `b`): the check that a reparametrised network still
 * computes the same function, to float32 roundoff.
 */
export async function compareGraphOutputs(runtime: OnnxRuntime, a: OnnxModel, b: OnnxModel, feeds: Record<string, RuntimeTensor>): Promise<OutputComparison> {
  const operation = 'compareGraphOutputs';
  const [first, second] = await Promise.all([run(runtime, a, feeds), run(runtime, b, feeds)]);
  const outputs: OutputDifference[] = [];
  for (const [name, x] of Object.entries(first)) {
    const y = second[name];
    if (y === undefined) throw new ShapeMismatchError({ operation, what: `graph output ${JSON.stringify(name)}`, expected: 'an output of both models', actual: 'missing from the second model' });
    if (x.dims.join('x') !== y.dims.join('x')) throw new ShapeMismatchError({ operation, what: `graph output ${JSON.stringify(name)}`, expected: `[${x.dims.join(', ')}]`, actual: `[${y.dims.join(', ')}]` });
    const u = x.data as ArrayLike<number>;
    const v = y.data as ArrayLike<number>;
    let difference = 0;
    let scale = 0;
    for (let i = 0; i < u.length; i++) {
      // NaN in either output is a difference, never silently ignored
      const d = Math.abs(u[i]! - v[i]!);
      difference = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(difference, d);
      scale = Math.max(scale, Math.abs(u[i]!));
    }
    outputs.push({ name, maxAbsDifference: difference, scale, relativeDifference: difference === 0 ? 0 : difference / scale });
  }
  return {
    outputs,
    maxAbsDifference: Math.max(0, ...outputs.map((o) => o.maxAbsDifference)),
    maxRelativeDifference: Math.max(0, ...outputs.map((o) => o.relativeDifference)),
  };
}

async function run(runtime: OnnxRuntime, model: OnnxModel, feeds: Record<string, RuntimeTensor>): Promise<Record<string, RuntimeTensor>> {
  const session = await runtime.InferenceSession.create(writeOnnx(model));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
