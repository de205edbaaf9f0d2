import type { ActivationName } from './layers.js';

/**
 * Elementwise activations and their derivatives, on flat arrays (`out` may be `input`).
 *
 * - identity: `x`
 * - tanh: `tanh x`
 * - logistic: `1 / (1 + e^-x)`, evaluated without overflow on both sides
 * - relu: `max(x, 0)`; derivative taken as 0 at 0 (PyTorch's convention)
 * - softplus: `log(1 + e^x)`, evaluated exactly as `max(x, 0) + log1p(e^-|x|)`. PyTorch's
 *   `nn.Softplus` returns `x` itself above its threshold 20, which differs from this by less
 *   than `e^-20 = 2.1e-9`; ONNX's `Softplus` is the exact function, as here.
 */
export function applyActivation(activation: ActivationName, input: Float64Array, out: Float64Array): void {
  const n = input.length;
  switch (activation) {
    case 'identity':
      if (out !== input) out.set(input);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(input[i]!);
      return;
    case 'logistic':
      for (let i = 0; i < n; i++) {
        const x = input[i]!;
        if (x >= 0) out[i] = 1 / (1 + Math.exp(-x));
        else {
          const e = Math.exp(x);
          out[i] = e / (1 + e);
        }
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) {
        const x = input[i]!;
        out[i] = Math.max(x, 0);
      }
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const x = input[i]!;
        out[i] = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      }
      return;
  }
}

/**
 * Multiplies `gradient` in place by `sigma'(z)`, given the preactivation `z` and the activation
 * `a = sigma(z)` (whichever is cheaper is used).
 */
export function multiplyByActivationDerivative(
  activation: ActivationName,
  z: Float64Array,
  a: Float64Array,
  gradient: Float64Array,
): void {
  const n = gradient.length;
  switch (activation) {
    case 'identity':
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const t = a[i]!;
        gradient[i] = gradient[i]! * (1 - t * t);
      }
      return;
    case 'logistic':
      for (let i = 0; i < n; i++) {
        const s = a[i]!;
        gradient[i] = gradient[i]! * s * (1 - s);
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (!(z[i]! > 0)) gradient[i] = 0;
      return;
    case 'softplus':
      // softplus'(z) = logistic(z)
      for (let i = 0; i < n; i++) {
        const x = z[i]!;
        let s: number;
        if (x >= 0) s = 1 / (1 + Math.exp(-x));
        else {
          const e = Math.exp(x);
          s = e / (1 + e);
        }
        gradient[i] = gradient[i]! * s;
      }
      return;
  }
}
