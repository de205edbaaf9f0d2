import { createRng, randomOrthogonal } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { forward } from './forward.js';
import { linearGradientFlow } from './gradient-flow.js';
import { type ActivationName, dense, type SequentialModel, sequential } from './layers.js';
import { writeSafetensorsModel } from './safetensors.js';
import type { Tensor } from './tensor.js';
import { createMlp, mlpLossAndGradient, squaredLossOf, trainMlp } from './training.js';

function data(samples: number, inputs: number, outputs: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = createRng(seed);
  const x = rng.normalArray(samples * inputs);
  const y = new Float64Array(samples * outputs);
  for (let n = 0; n < samples; n++) {
    for (let o = 0; o < outputs; o++) {
      let s = 0;
      for (let i = 0; i < inputs; i++) s += Math.sin(i + o) * x[n * inputs + i]!;
      y[n * outputs + o] = Math.tanh(s) + 0.1 * Math.cos(s);
    }
  }
  return { x: { shape: [samples, inputs], data: x }, y: { shape: [samples, outputs], data: y } };
}

function withParameter(model: SequentialModel, layer: string, which: 'weight' | 'bias', index: number, delta: number): SequentialModel {
  const layers = model.layers.map((l) => {
    if (l.name !== layer || l.kind !== 'dense') return l;
    const source = which === 'weight' ? l.weight : l.bias!;
    const changed = Float64Array.from(source.data);
    changed[index] = changed[index]! + delta;
    return which === 'weight'
      ? dense({ name: l.name, weight: { shape: source.shape, data: changed }, bias: l.bias })
      : dense({ name: l.name, weight: l.weight, bias: { shape: source.shape, data: changed } });
  });
  return sequential(model.inputShape, layers);
}

describe('mlpLossAndGradient', () => {
  const activations: ActivationName[] = ['tanh', 'logistic', 'softplus', 'relu', 'identity'];
  for (const activation of activations) {
    it(`matches central finite differences (${activation})`, () => {
      const model = createMlp({ sizes: [4, 5, 3, 2], activation, outputActivation: activation === 'identity' ? 'identity' : 'tanh', seed: 11 });
      const { x, y } = data(7, 4, 2, 5);
      const { loss, gradients } = mlpLossAndGradient(model, x, y);
      expect(loss).toBeCloseTo(squaredLossOf(model, x, y), 14);
      // Central differences have error h^2 |f'''| / 6 plus rounding eps |f| / h: with h = 1e-5
      // both are below 1e-9; the gradients are O(0.1), so 1e-7 absolute is a tight check.
      const h = 1e-5;
      let worst = 0;
      for (const g of gradients) {
        for (const which of ['weight', 'bias'] as const) {
          const analytic = which === 'weight' ? g.weight : g.bias!;
          for (let i = 0; i < analytic.data.length; i++) {
            const plus = squaredLossOf(withParameter(model, g.layer, which, i, h), x, y);
            const minus = squaredLossOf(withParameter(model, g.layer, which, i, -h), x, y);
            worst = Math.max(worst, Math.abs((plus - minus) / (2 * h) - analytic.data[i]!));
          }
        }
      }
      expect(worst).toBeLessThan(1e-7);
    });
  }
});

describe('trainMlp', () => {
  const { x, y } = data(64, 6, 3, 1);

  it('decreases the loss with Adam and with SGD', () => {
    for (const optimizer of [
      { kind: 'adam', learningRate: 0.01 },
      { kind: 'sgd', learningRate: 0.1, momentum: 0.9 },
      { kind: 'sgd', learningRate: 0.2 },
    ] as const) {
      const model = createMlp({ sizes: [6, 10, 3], seed: 3 });
      const result = trainMlp(model, { inputs: x, targets: y, optimizer, epochs: 60, batchSize: 16, seed: 4 });
      expect(result.losses.length).toBe(60);
      expect(result.losses[59]!).toBeLessThan(0.3 * result.initialLoss);
      expect(squaredLossOf(result.model, x, y)).toBeCloseTo(result.losses[59]!, 14);
    }
  });

  it('gives the same bytes for the same seeds and different ones otherwise', () => {
    const run = (seed: number) => {
      const model = createMlp({ sizes: [6, 8, 3], seed });
      return trainMlp(model, { inputs: x, targets: y, optimizer: { kind: 'adam', learningRate: 0.01 }, epochs: 5, batchSize: 10, seed });
    };
    const a = run(7);
    const b = run(7);
    const c = run(8);
    const bytes = (r: ReturnType<typeof run>) => Array.from(forward(r.model, x).data);
    expect(bytes(a)).toEqual(bytes(b));
    expect(Array.from(a.losses)).toEqual(Array.from(b.losses));
    // the exported files are byte for byte the same
    expect(Buffer.from(writeSafetensorsModel(a.model)).equals(Buffer.from(writeSafetensorsModel(b.model)))).toBe(true);
    expect(bytes(a)).not.toEqual(bytes(c));
  });

  it('full-batch SGD is gradient descent: one epoch moves by -learningRate * gradient', () => {
    const model = createMlp({ sizes: [6, 4, 3], seed: 2 });
    const { gradients } = mlpLossAndGradient(model, x, y);
    const result = trainMlp(model, { inputs: x, targets: y, optimizer: { kind: 'sgd', learningRate: 0.05 }, epochs: 1, seed: 1, shuffle: false });
    const before = model.layers[0]!;
    const after = result.model.layers[0]!;
    if (before.kind !== 'dense' || after.kind !== 'dense') throw new Error('expected dense layers');
    for (let i = 0; i < before.weight.data.length; i++) {
      expect(after.weight.data[i]!).toBeCloseTo(before.weight.data[i]! - 0.05 * gradients[0]!.weight.data[i]!, 15);
    }
  });

  it('reports every epoch and stops when the callback returns false', () => {
    const seen: number[] = [];
    const result = trainMlp(createMlp({ sizes: [6, 4, 3], seed: 2 }), {
      inputs: x,
      targets: y,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      epochs: 10,
      seed: 1,
      onEpoch: ({ epoch, loss, elapsed }) => {
        seen.push(epoch);
        expect(Number.isFinite(loss) && elapsed >= 0).toBe(true);
        return epoch < 3;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(result.epochs).toBe(3);
  });

  it('rejects bad settings with typed errors', () => {
    const model = createMlp({ sizes: [6, 4, 3], seed: 2 });
    expect(() => trainMlp(model, { inputs: x, targets: y, optimizer: { kind: 'sgd', learningRate: -1 }, epochs: 1, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => trainMlp(model, { inputs: x, targets: y, optimizer: { kind: 'sgd', learningRate: 0.1 }, epochs: 1, batchSize: 0, seed: 1 })).toThrow(InvalidArgumentError);
  });

  it('Glorot uniform draws inside +-sqrt(6 / (fan_in + fan_out))', () => {
    const model = createMlp({ sizes: [30, 20], seed: 5 });
    const layer = model.layers[0]!;
    if (layer.kind !== 'dense') throw new Error('expected dense');
    const bound = Math.sqrt(6 / 50);
    const values = Array.from(layer.weight.data);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    // variance of U(-a, a) is a^2 / 3 = 2 / 50; 600 draws: standard error of the variance ~ 6%
    const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
    expect(Math.abs(variance / (2 / 50) - 1)).toBeLessThan(0.25);
  });
});

describe('linearGradientFlow', () => {
  /**
   * Saxe, McClelland and Ganguli: whitened inputs (Sxx = I), Syx = U S V^T, balanced start
   * W1 = R diag(sqrt(a0)) V^T, W2 = U diag(sqrt(a0)) R^T. Then the flow stays balanced and
   * a_i(t) = s_i e^{2 s_i t / tau} / (e^{2 s_i t / tau} - 1 + s_i / a0), W2 W1 = U diag(a(t)) V^T.
   */
  it('follows the closed-form SMG trajectories', () => {
    const d = 4;
    const h = 3;
    const o = 3;
    const s = [3, 2, 1];
    const a0 = 1e-3;
    const tau = 2;
    const v = randomOrthogonal(d, createRng(1));
    const u = randomOrthogonal(o, createRng(2));
    const r = randomOrthogonal(h, createRng(3));
    // Inputs X = sqrt(N) I (N = d): Sxx = X^T X / N = I. Targets Y with Y^T X / N = Syx = U S V^T[:3].
    const samples = d;
    const x = new Float64Array(samples * d);
    for (let i = 0; i < d; i++) x[i * d + i] = Math.sqrt(samples);
    // Syx = Y^T X / N = Y^T / sqrt(N)  =>  Y = sqrt(N) Syx^T
    const syx = (i: number, j: number) => {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += u.get(i, k) * s[k]! * v.get(j, k);
      return sum;
    };
    const y = new Float64Array(samples * o);
    for (let n = 0; n < samples; n++) for (let i = 0; i < o; i++) y[n * o + i] = Math.sqrt(samples) * syx(i, n);
    const w1 = new Float64Array(h * d);
    const w2 = new Float64Array(o * h);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += r.get(i, k) * Math.sqrt(a0) * v.get(j, k);
        w1[i * d + j] = sum;
      }
    }
    for (let i = 0; i < o; i++) {
      for (let j = 0; j < h; j++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += u.get(i, k) * Math.sqrt(a0) * r.get(j, k);
        w2[i * h + j] = sum;
      }
    }
    const time = 6;
    const check = (method: 'rk4' | 'euler', steps: number) => {
      let worst = 0;
      linearGradientFlow({
        inputs: { shape: [samples, d], data: x },
        targets: { shape: [samples, o], data: y },
        initial: { w1, w2, hidden: h },
        tau,
        time,
        steps,
        method,
        recordEvery: steps / 6,
        onStep: ({ time: t, w1: a, w2: b }) => {
          // product W = W2 W1, then a_i(t) = u_i^T W v_i
          for (let k = 0; k < 3; k++) {
            let value = 0;
            for (let i = 0; i < o; i++) {
              for (let j = 0; j < d; j++) {
                let wij = 0;
                for (let m = 0; m < h; m++) wij += b[i * h + m]! * a[m * d + j]!;
                value += u.get(i, k) * wij * v.get(j, k);
              }
            }
            const e = Math.exp((2 * s[k]! * t) / tau);
            const expected = (s[k]! * e) / (e - 1 + s[k]! / a0);
            worst = Math.max(worst, Math.abs(value - expected));
          }
        },
      });
      return worst;
    };
    // RK4 with dt = 0.005 (global error O(dt^4)): agreement to 1e-8 on values of size up to 3.
    expect(check('rk4', 1200)).toBeLessThan(1e-8);
    // Euler is first order: halving dt halves the error.
    const coarse = check('euler', 3000);
    const fine = check('euler', 6000);
    expect(coarse).toBeLessThan(0.05);
    expect(fine / coarse).toBeGreaterThan(0.4);
    expect(fine / coarse).toBeLessThan(0.6);
  });

  it('decreases the loss monotonically and returns the trained layers', () => {
    const { x, y } = data(40, 5, 3, 9);
    const initial = createMlp({ sizes: [5, 4, 3], activation: 'identity', bias: false, initialisation: { kind: 'normal', std: 0.1 }, seed: 4 });
    const result = linearGradientFlow({
      inputs: x,
      targets: y,
      initial,
      time: 20,
      steps: 400,
      recordEvery: 10,
    });
    for (let i = 1; i < result.losses.length; i++) expect(result.losses[i]!).toBeLessThanOrEqual(result.losses[i - 1]! + 1e-15);
    expect(result.times[result.times.length - 1]).toBeCloseTo(20, 12);
    expect(squaredLossOf(result.model, x, y)).toBeCloseTo(result.losses[result.losses.length - 1]!, 12);
    expect(result.losses[0]).toBeCloseTo(squaredLossOf(initial, x, y), 12);
    // Euler with a small step is full-batch gradient descent; it converges to the same loss
    const euler = linearGradientFlow({ inputs: x, targets: y, initial, time: 20, steps: 4000, method: 'euler' });
    expect(Math.abs(euler.losses[euler.losses.length - 1]! - result.losses[result.losses.length - 1]!)).toBeLessThan(1e-3);
  });

  it('rejects an initial model that is not a two-layer linear network', () => {
    const { x, y } = data(10, 5, 3, 9);
    const tanh = createMlp({ sizes: [5, 4, 3], bias: false, seed: 1 });
    expect(() => linearGradientFlow({ inputs: x, targets: y, initial: tanh, time: 1, steps: 10 })).toThrow(InvalidArgumentError);
  });
});

/**
 * A signal that aborts at its `after`-th check (a stand-in where no callback runs between the
 * checks, e.g. between minibatches); `checks` counts the calls.
 */
function abortingAt(after: number, reason: Error): AbortSignal & { checks: number } {
  const fake = {
    checks: 0,
    aborted: false,
    reason,
    throwIfAborted(): void {
      fake.checks++;
      if (fake.checks >= after) throw reason;
    },
  };
  return fake as unknown as AbortSignal & { checks: number };
}

describe('cancellation of training', () => {
  const { x, y } = data(64, 6, 3, 1);
  const settings = { inputs: x, targets: y, optimizer: { kind: 'adam', learningRate: 0.01 } as const, epochs: 10, batchSize: 16, seed: 1 };

  it("trainMlp: a pre-aborted signal throws its reason at once; an abort from onEpoch stops before the next epoch", () => {
    const reason = new Error('stop');
    expect(() => trainMlp(createMlp({ sizes: [6, 4, 3], seed: 2 }), { ...settings, signal: AbortSignal.abort(reason) })).toThrow(reason);
    const controller = new AbortController();
    const seen: number[] = [];
    expect(() =>
      trainMlp(createMlp({ sizes: [6, 4, 3], seed: 2 }), {
        ...settings,
        signal: controller.signal,
        onEpoch: ({ epoch }) => {
          seen.push(epoch);
          if (epoch === 2) controller.abort(new Error('enough'));
          return undefined;
        },
      }),
    ).toThrow('enough');
    expect(seen).toEqual([1, 2]);
  });

  it('trainMlp checks between minibatches, not only between epochs', () => {
    const reason = new Error('mid-epoch');
    // checks: on entry, before epoch 1, before its first minibatch, before its second (aborts)
    const signal = abortingAt(4, reason);
    let epochs = 0;
    expect(() =>
      trainMlp(createMlp({ sizes: [6, 4, 3], seed: 2 }), {
        ...settings,
        signal,
        onEpoch: () => {
          epochs++;
          return undefined;
        },
      }),
    ).toThrow(reason);
    expect(epochs).toBe(0);
  });

  it('linearGradientFlow: pre-aborted throws at once; an abort from onStep stops at the next step', () => {
    const initial = createMlp({ sizes: [6, 4, 3], activation: 'identity', bias: false, initialisation: { kind: 'normal', std: 0.1 }, seed: 4 });
    const reason = new Error('stop');
    expect(() => linearGradientFlow({ inputs: x, targets: y, initial, time: 1, steps: 100, signal: AbortSignal.abort(reason) })).toThrow(reason);
    const controller = new AbortController();
    const steps: number[] = [];
    expect(() =>
      linearGradientFlow({
        inputs: x,
        targets: y,
        initial,
        time: 1,
        steps: 100,
        recordEvery: 10,
        signal: controller.signal,
        onStep: ({ step }) => {
          steps.push(step);
          if (step === 20) controller.abort(new Error('enough'));
        },
      }),
    ).toThrow('enough');
    expect(steps).toEqual([0, 10, 20]);
  });
});
