import { InvalidArgumentError, MissingTensorError, netsScope, UnsupportedOperatorError } from './errors.js';
import {
  ACTIVATIONS,
  type ActivationName,
  activation,
  batchNorm,
  conv1d,
  conv2d,
  dense,
  flatten,
  type Layer,
  type SequentialModel,
  sequential,
} from './layers.js';
import type { Tensor } from './tensor.js';

/**
 * A declared architecture: what a weights-only file (safetensors, npz) needs to become a model.
 * Plain JSON, e.g.
 *
 *     { "inputShape": [16], "layers": [
 *         { "type": "dense", "name": "fc1" }, { "type": "tanh" },
 *         { "type": "dense", "weight": "fc2.weight", "bias": "fc2.bias" } ] }
 *
 * Tensor names default to PyTorch's: `<name>.weight` and `<name>.bias` (a missing bias tensor
 * means no bias unless named explicitly; `"bias": null` means none), and for batch norm also
 * `<name>.running_mean`, `<name>.running_var`. A layer with a `weight` but no `name` is named
 * after the weight without its `.weight` suffix.
 */
export interface ArchitectureSpec {
  /** Per-sample input shape, e.g. `[16]` or `[2, 16]` (channels, length). */
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerSpec[];
}

/** One layer of an `ArchitectureSpec`. */
export type LayerSpec =
  | { readonly type: 'dense'; readonly name?: string; readonly weight?: string; readonly bias?: string | null }
  | {
      readonly type: 'conv1d';
      readonly name?: string;
      readonly weight?: string;
      readonly bias?: string | null;
      readonly stride?: number;
      readonly padding?: number | readonly [number, number];
      readonly dilation?: number;
      readonly groups?: number;
    }
  | {
      readonly type: 'conv2d';
      readonly name?: string;
      readonly weight?: string;
      readonly bias?: string | null;
      readonly stride?: number | readonly [number, number];
      readonly padding?: number | readonly [number, number] | readonly [number, number, number, number];
      readonly dilation?: number | readonly [number, number];
      readonly groups?: number;
    }
  | {
      readonly type: 'batchnorm';
      readonly name?: string;
      readonly weight?: string;
      readonly bias?: string;
      readonly runningMean?: string;
      readonly runningVar?: string;
      readonly epsilon?: number;
    }
  | { readonly type: 'flatten'; readonly name?: string }
  | { readonly type: ActivationName; readonly name?: string };

/** A tensor from a file: shape, dtype and data that `Float64Array.from` accepts. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly dtype?: string;
  readonly data: ArrayLike<number> | BigInt64Array | BigUint64Array;
}

/** Tensors by name (io's readers return a `Map`). */
export type TensorSource = ReadonlyMap<string, NamedTensor> | Readonly<Record<string, NamedTensor>>;

function lookup(tensors: TensorSource, name: string): NamedTensor | undefined {
  if (tensors instanceof Map) return tensors.get(name);
  const record = tensors as Readonly<Record<string, NamedTensor>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

const OPERATION = 'modelFromTensors';

function need(tensors: TensorSource, name: string, used: Set<string>, dtypes: Set<string>): Tensor {
  const found = lookup(tensors, name);
  if (found === undefined) throw new MissingTensorError({ operation: OPERATION, tensor: name });
  if (found.data instanceof BigInt64Array || found.data instanceof BigUint64Array) {
    throw new MissingTensorError({ operation: OPERATION, tensor: name, reason: `has integer dtype ${found.dtype ?? 'int64'}, expected a float tensor` });
  }
  used.add(name);
  if (found.dtype !== undefined) dtypes.add(found.dtype);
  return { shape: [...found.shape], data: Float64Array.from(found.data) };
}

function optional(tensors: TensorSource, name: string | null | undefined, fallback: string, used: Set<string>, dtypes: Set<string>): Tensor | null {
  if (name === null) return null;
  if (name !== undefined) return need(tensors, name, used, dtypes);
  return lookup(tensors, fallback) === undefined ? null : need(tensors, fallback, used, dtypes);
}

function layerName(spec: { readonly name?: string; readonly weight?: string }, index: number): string {
  if (spec.name !== undefined) return spec.name;
  if (spec.weight !== undefined) return spec.weight.endsWith('.weight') ? spec.weight.slice(0, -'.weight'.length) : spec.weight;
  throw new InvalidArgumentError({ operation: OPERATION, argument: `layers[${index}]`, what: 'a layer with weights needs a name or a weight tensor name', ...netsScope });
}

/**
 * Builds a model from named tensors and a declared architecture. Every tensor is copied to
 * Float64 (float32 values exactly); the model's precision is `float32` when every float tensor
 * used was float32 (so exports write float32 again), else `float64`.
 *
 * @throws MissingTensorError, UnsupportedOperatorError, ShapeMismatchError, InvalidArgumentError.
 */
export function modelFromTensors(tensors: TensorSource, spec: ArchitectureSpec): SequentialModel {
  const checked = parseArchitectureSpec(spec);
  const used = new Set<string>();
  const dtypes = new Set<string>();
  const layers: Layer[] = checked.layers.map((layerSpec, index): Layer => {
    switch (layerSpec.type) {
      case 'dense': {
        const name = layerName(layerSpec, index);
        return dense({
          name,
          weight: need(tensors, layerSpec.weight ?? `${name}.weight`, used, dtypes),
          bias: optional(tensors, layerSpec.bias, `${name}.bias`, used, dtypes),
        });
      }
      case 'conv1d': {
        const name = layerName(layerSpec, index);
        return conv1d({
          name,
          weight: need(tensors, layerSpec.weight ?? `${name}.weight`, used, dtypes),
          bias: optional(tensors, layerSpec.bias, `${name}.bias`, used, dtypes),
          ...(layerSpec.stride === undefined ? {} : { stride: layerSpec.stride }),
          ...(layerSpec.padding === undefined ? {} : { padding: layerSpec.padding }),
          ...(layerSpec.dilation === undefined ? {} : { dilation: layerSpec.dilation }),
          ...(layerSpec.groups === undefined ? {} : { groups: layerSpec.groups }),
        });
      }
      case 'conv2d': {
        const name = layerName(layerSpec, index);
        return conv2d({
          name,
          weight: need(tensors, layerSpec.weight ?? `${name}.weight`, used, dtypes),
          bias: optional(tensors, layerSpec.bias, `${name}.bias`, used, dtypes),
          ...(layerSpec.stride === undefined ? {} : { stride: layerSpec.stride }),
          ...(layerSpec.padding === undefined ? {} : { padding: layerSpec.padding }),
          ...(layerSpec.dilation === undefined ? {} : { dilation: layerSpec.dilation }),
          ...(layerSpec.groups === undefined ? {} : { groups: layerSpec.groups }),
        });
      }
      case 'batchnorm': {
        const name = layerName(layerSpec, index);
        return batchNorm({
          name,
          scale: need(tensors, layerSpec.weight ?? `${name}.weight`, used, dtypes),
          shift: need(tensors, layerSpec.bias ?? `${name}.bias`, used, dtypes),
          mean: need(tensors, layerSpec.runningMean ?? `${name}.running_mean`, used, dtypes),
          variance: need(tensors, layerSpec.runningVar ?? `${name}.running_var`, used, dtypes),
          ...(layerSpec.epsilon === undefined ? {} : { epsilon: layerSpec.epsilon }),
        });
      }
      case 'flatten':
        return flatten(layerSpec.name ?? '');
      default:
        return activation(layerSpec.type, layerSpec.name ?? '');
    }
  });
  const precision = dtypes.size > 0 && [...dtypes].every((d) => d === 'float32' || d === 'F32') ? 'float32' : 'float64';
  return sequential(checked.inputShape, layers, { precision });
}

const LAYER_TYPES = ['dense', 'conv1d', 'conv2d', 'batchnorm', 'flatten', ...ACTIVATIONS] as const;

/**
 * Checks that an unknown value (e.g. parsed JSON) is an `ArchitectureSpec`, with typed errors
 * naming the offending field.
 */
export function parseArchitectureSpec(value: unknown): ArchitectureSpec {
  const operation = 'parseArchitectureSpec';
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError({ operation, argument: 'spec', what: 'expected an object', ...netsScope });
  const { inputShape, layers } = value as { inputShape?: unknown; layers?: unknown };
  if (!Array.isArray(inputShape) || inputShape.some((e) => !Number.isInteger(e) || e < 1)) {
    throw new InvalidArgumentError({ operation, argument: 'inputShape', what: 'expected an array of positive integers', ...netsScope });
  }
  if (!Array.isArray(layers)) throw new InvalidArgumentError({ operation, argument: 'layers', what: 'expected an array', ...netsScope });
  layers.forEach((layer: unknown, i) => {
    if (typeof layer !== 'object' || layer === null) throw new InvalidArgumentError({ operation, argument: `layers[${i}]`, what: 'expected an object', ...netsScope });
    const type = (layer as { type?: unknown }).type;
    if (typeof type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(type)) {
      throw new UnsupportedOperatorError({ operation, operator: String(type), node: `layers[${i}]`, reason: `unknown layer type; known: ${LAYER_TYPES.join(', ')}` });
    }
    for (const key of ['name', 'weight', 'runningMean', 'runningVar']) {
      const field = (layer as Record<string, unknown>)[key];
      if (field !== undefined && typeof field !== 'string') throw new InvalidArgumentError({ operation, argument: `layers[${i}].${key}`, what: 'expected a string', ...netsScope });
    }
    const bias = (layer as Record<string, unknown>).bias;
    if (bias !== undefined && bias !== null && typeof bias !== 'string') throw new InvalidArgumentError({ operation, argument: `layers[${i}].bias`, what: 'expected a string or null', ...netsScope });
  });
  return value as ArchitectureSpec;
}

function paddingOf(layer: Layer & { kind: 'conv1d' | 'conv2d' }): number | [number, number] | [number, number, number, number] {
  if (layer.kind === 'conv1d') return layer.padding[0] === layer.padding[1] ? layer.padding[0] : [layer.padding[0], layer.padding[1]];
  const [top, left, bottom, right] = layer.padding;
  return top === bottom && left === right ? [top, left] : [top, left, bottom, right];
}

/**
 * The architecture of a model, naming tensors the PyTorch way (`<layer>.weight`, `<layer>.bias`,
 * `<layer>.running_mean`, `<layer>.running_var`), as `modelToTensors` writes them.
 */
export function modelToSpec(model: SequentialModel): ArchitectureSpec {
  const layers = model.layers.map((layer): LayerSpec => {
    switch (layer.kind) {
      case 'dense':
        return { type: 'dense', name: layer.name, weight: `${layer.name}.weight`, bias: layer.bias === null ? null : `${layer.name}.bias` };
      case 'conv1d':
        return {
          type: 'conv1d',
          name: layer.name,
          weight: `${layer.name}.weight`,
          bias: layer.bias === null ? null : `${layer.name}.bias`,
          stride: layer.stride,
          padding: paddingOf(layer) as number | [number, number],
          dilation: layer.dilation,
          groups: layer.groups,
        };
      case 'conv2d':
        return {
          type: 'conv2d',
          name: layer.name,
          weight: `${layer.name}.weight`,
          bias: layer.bias === null ? null : `${layer.name}.bias`,
          stride: [layer.stride[0], layer.stride[1]],
          padding: paddingOf(layer),
          dilation: [layer.dilation[0], layer.dilation[1]],
          groups: layer.groups,
        };
      case 'batchnorm':
        return {
          type: 'batchnorm',
          name: layer.name,
          weight: `${layer.name}.weight`,
          bias: `${layer.name}.bias`,
          runningMean: `${layer.name}.running_mean`,
          runningVar: `${layer.name}.running_var`,
          epsilon: layer.epsilon,
        };
      case 'flatten':
        return { type: 'flatten', name: layer.name };
      default:
        return { type: layer.activation, name: layer.name };
    }
  });
  return { inputShape: [...model.inputShape], layers };
}

/** A tensor to write: dtype (the model's precision), shape and Float64 data. */
export interface TensorToWrite {
  readonly dtype: 'float32' | 'float64';
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/**
 * The model's parameters by PyTorch-style name, in layer order. The dtype is float32 when the
 * model's precision is float32 and every value is exactly a float32 (so writing loses nothing),
 * else float64.
 */
export function modelToTensors(model: SequentialModel): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  const dtype = model.precision === 'float32' && allFloat32(model) ? 'float32' : 'float64';
  const put = (name: string, t: Tensor | null): void => {
    if (t !== null) out.set(name, { dtype, shape: [...t.shape], data: t.data });
  };
  for (const layer of model.layers) {
    switch (layer.kind) {
      case 'dense':
      case 'conv1d':
      case 'conv2d':
        put(`${layer.name}.weight`, layer.weight);
        put(`${layer.name}.bias`, layer.bias);
        break;
      case 'batchnorm':
        put(`${layer.name}.weight`, layer.scale);
        put(`${layer.name}.bias`, layer.shift);
        put(`${layer.name}.running_mean`, layer.mean);
        put(`${layer.name}.running_var`, layer.variance);
        break;
      default:
        break;
    }
  }
  return out;
}

function allFloat32(model: SequentialModel): boolean {
  const exact = (t: Tensor | null): boolean => t === null || t.data.every((v) => Math.fround(v) === v);
  return model.layers.every((layer) => {
    switch (layer.kind) {
      case 'dense':
      case 'conv1d':
      case 'conv2d':
        return exact(layer.weight) && exact(layer.bias);
      case 'batchnorm':
        return exact(layer.scale) && exact(layer.shift) && exact(layer.mean) && exact(layer.variance);
      default:
        return true;
    }
  });
}
