/**
 * A tiny reference forward pass (dense, 1-D and 2-D valid convolutions with stride 1,
 * inference batch norm, tanh/relu, flatten), written for the tests only: the real
 * forward passes live in @descramble/nets.
 */
import type { BatchNorm, Cnn, DenseLayer, Tensor } from '../src/index.js';

export type Activation = 'tanh' | 'relu' | 'identity';

export function activate(x: Float64Array, activation: Activation): Float64Array {
  if (activation === 'identity') return x;
  return x.map((v) => (activation === 'tanh' ? Math.tanh(v) : Math.max(0, v)));
}

export function dense(layer: DenseLayer, x: Float64Array): Float64Array {
  const out = new Float64Array(layer.weight.rows);
  for (let i = 0; i < out.length; i++) {
    const row = layer.weight.getRow(i);
    let s = layer.bias?.[i] ?? 0;
    for (let j = 0; j < row.length; j++) s += row[j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** Valid convolution (cross-correlation, as PyTorch) of one sample [C, ...spatial]. */
export function conv(weight: Tensor, bias: Float64Array | undefined, x: Tensor): Tensor {
  const [out, inputs] = weight.shape as [number, number];
  if (weight.shape.length === 3) {
    const k = weight.shape[2]!;
    const length = x.shape[1]! - k + 1;
    const data = new Float64Array(out * length);
    for (let o = 0; o < out; o++) {
      for (let t = 0; t < length; t++) {
        let s = bias?.[o] ?? 0;
        for (let c = 0; c < inputs; c++) for (let u = 0; u < k; u++) s += weight.data[(o * inputs + c) * k + u]! * x.data[c * x.shape[1]! + t + u]!;
        data[o * length + t] = s;
      }
    }
    return { shape: [out, length], data };
  }
  const [, , kh, kw] = weight.shape as [number, number, number, number];
  const [, h, w] = x.shape as [number, number, number];
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const data = new Float64Array(out * oh * ow);
  for (let o = 0; o < out; o++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        let s = bias?.[o] ?? 0;
        for (let c = 0; c < inputs; c++) {
          for (let u = 0; u < kh; u++) {
            for (let v = 0; v < kw; v++) s += weight.data[((o * inputs + c) * kh + u) * kw + v]! * x.data[(c * h + y + u) * w + z + v]!;
          }
        }
        data[(o * oh + y) * ow + z] = s;
      }
    }
  }
  return { shape: [out, oh, ow], data };
}

export function batchNorm(norm: BatchNorm, x: Tensor): Tensor {
  const channels = x.shape[0]!;
  const block = x.data.length / channels;
  const data = new Float64Array(x.data.length);
  const eps = norm.epsilon ?? 1e-5;
  for (let c = 0; c < channels; c++) {
    const scale = norm.gamma[c]! / Math.sqrt(norm.runningVar[c]! + eps);
    for (let t = 0; t < block; t++) data[c * block + t] = scale * (x.data[c * block + t]! - norm.runningMean[c]!) + norm.beta[c]!;
  }
  return { shape: x.shape, data };
}

export function mlpForward(layers: readonly DenseLayer[], x: Float64Array, activation: Activation): Float64Array {
  let h = x;
  layers.forEach((layer, l) => {
    h = dense(layer, h);
    if (l < layers.length - 1) h = activate(h, activation);
  });
  return h;
}

export function cnnForward(net: Cnn, x: Tensor, activations: readonly Activation[]): Float64Array {
  let h = x;
  net.conv.forEach((layer, l) => {
    h = conv(layer.weight, layer.bias, h);
    if (layer.batchNorm !== undefined) h = batchNorm(layer.batchNorm, h);
    h = { shape: h.shape, data: activate(h.data, activations[l] ?? 'relu') };
  });
  let flat = h.data;
  net.dense.forEach((layer, l) => {
    flat = dense(layer, flat);
    if (l < net.dense.length - 1) flat = activate(flat, activations[net.conv.length + l] ?? 'relu');
  });
  return flat;
}

export function maxRelativeDifference(x: Float64Array, y: Float64Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(x[i]!));
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
  }
  return diff / Math.max(scale, Number.MIN_VALUE);
}
