import { type OnnxModel, writeOnnx } from '@descramble/io';
import { InvalidArgumentError, NonFiniteValueError, netsScope } from '../errors.js';
import type { OnnxRuntime, RuntimeTensor } from '../runtime/onnx-runtime.js';
import { interpolateGraphs } from './interpolate-graphs.js';

/** One point of the path: the model `(1 - alpha) a + alpha b`. */
export interface InterpolationPoint {
  readonly alpha: number;
  /**
   * How far its outputs leave the straight line between the two models' outputs:
   * `sqrt(sum ||f_alpha(x) - ((1 - alpha) f_a(x) + alpha f_b(x))||^2 / sum ||(1 - alpha) f_a(x) + alpha f_b(x)||^2)`
   * over the samples (0 at both ends; 0 everywhere when the network is linear in its weights).
   */
  readonly outputDeviation: number;
  /** Mean squared error against the targets, when targets were given. */
  readonly loss?: number;
}

/** The outputs along the straight line between two networks (the measure weight matching exists for). */
export interface InterpolationPath {
  readonly points: readonly InterpolationPoint[];
  /** Largest `outputDeviation` along the path. */
  readonly outputBarrier: number;
  /** With targets: the largest `loss(alpha) - ((1 - alpha) loss(0) + alpha loss(1))` (the loss barrier). */
  readonly lossBarrier?: number;
  readonly samples: number;
}

/** Options of `interpolationPath`. */
export interface InterpolationPathOptions {
  /** Points on the path, ends included (default 11: alpha = 0, 0.1, ..., 1). */
  readonly steps?: number;
  /** Targets of the first output, same element count: adds `loss` and `lossBarrier`. */
  readonly targets?: ArrayLike<number>;
  readonly signal?: AbortSignal;
}

async function firstOutput(runtime: OnnxRuntime, model: OnnxModel, feeds: Record<string, RuntimeTensor>): Promise<Float64Array> {
  const session = await runtime.InferenceSession.create(writeOnnx(model));
  try {
    const outputs = await session.run(feeds);
    const output = outputs[session.outputNames[0] as string] as RuntimeTensor;
    return Float64Array.from(output.data as Float32Array | Float64Array);
  } finally {
    await session.release();
  }
}

/**
 * Runs `interpolateGraphs(a, b, alpha)` on one batch (`feeds`, by graph input name, as for
 * `compareGraphOutputs`) for `steps` values of alpha and measures
 * how its outputs depart from the straight line between the two ends (and the loss barrier
 * with targets). Matching `b` onto `a` first should flatten the path. Uses ONNX Runtime.
 */
export async function interpolationPath(
  runtime: OnnxRuntime,
  a: OnnxModel,
  b: OnnxModel,
  feeds: Record<string, RuntimeTensor>,
  options: InterpolationPathOptions = {},
): Promise<InterpolationPath> {
  const operation = 'interpolationPath';
  const steps = options.steps ?? 11;
  if (!Number.isSafeInteger(steps) || steps < 2) throw new InvalidArgumentError({ operation, argument: 'steps', what: `must be an integer >= 2, got ${steps}`, ...netsScope });
  const samples = Object.values(feeds)[0]?.dims[0] ?? 0;
  if (samples < 1) throw new InvalidArgumentError({ operation, argument: 'feeds', what: 'hold no samples', ...netsScope });
  const ends = [await firstOutput(runtime, a, feeds), await firstOutput(runtime, b, feeds)] as const;
  const targets = options.targets;
  if (targets !== undefined && targets.length !== ends[0].length) {
    throw new InvalidArgumentError({ operation, argument: 'targets', what: `has ${targets.length} values, the outputs ${ends[0].length}`, ...netsScope });
  }
  const points: InterpolationPoint[] = [];
  for (let step = 0; step < steps; step++) {
    options.signal?.throwIfAborted();
    const alpha = step / (steps - 1);
    const output = step === 0 ? ends[0] : step === steps - 1 ? ends[1] : await firstOutput(runtime, interpolateGraphs(a, b, alpha), feeds);
    let deviation = 0;
    let scale = 0;
    let loss = 0;
    for (let i = 0; i < output.length; i++) {
      const value = output[i] as number;
      if (!Number.isFinite(value)) throw new NonFiniteValueError({ operation, location: `output ${i} at alpha = ${alpha}`, value });
      const line = (1 - alpha) * (ends[0][i] as number) + alpha * (ends[1][i] as number);
      deviation += (value - line) ** 2;
      scale += line ** 2;
      if (targets !== undefined) loss += (value - (targets[i] as number)) ** 2;
    }
    points.push({
      alpha,
      outputDeviation: scale === 0 ? Math.sqrt(deviation) : Math.sqrt(deviation / scale),
      ...(targets === undefined ? {} : { loss: loss / output.length }),
    });
  }
  const outputBarrier = Math.max(...points.map((point) => point.outputDeviation));
  if (targets === undefined) return { points, outputBarrier, samples };
  const first = points[0]?.loss as number;
  const last = points[points.length - 1]?.loss as number;
  const lossBarrier = Math.max(...points.map((point) => (point.loss as number) - ((1 - point.alpha) * first + point.alpha * last)));
  return { points, outputBarrier, lossBarrier, samples };
}
