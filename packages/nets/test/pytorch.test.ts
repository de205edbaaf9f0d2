import { describe, expect, it } from 'vitest';
import { capture } from '../src/capture.js';
import { forward } from '../src/forward.js';
import { isLinearLayer } from '../src/layers.js';
import { fixtureNetworks, jsonOf, LOCAL, maxAbs } from './helpers.js';

/**
 * PyTorch's own outputs and hidden values, reproduced from the ONNX files and from the weight
 * files plus a declared architecture. The weights are float32 values (the float64 files hold
 * the same values widened), and we compute in float64, so:
 * - against PyTorch's float64 run (same weights, same float32-representable inputs) the only
 *   difference is summation order: a few ulps of float64, so 1e-12 absolute on values of size
 *   at most ~10;
 * - against PyTorch's float32 run the difference is PyTorch's own float32 rounding: at most a
 *   few hundred float32 ulps (1.2e-7 each) across these small sums, so 1e-6 absolute.
 */
describe('PyTorch fixtures reproduced', () => {
  for (const network of fixtureNetworks()) {
    describe(network.name, () => {
      for (const { label, model } of network.sources()) {
        it(`${label}: outputs and hidden values to 1e-6 (float32) and 1e-12 (float64)`, async () => {
          const { input } = network.reference;
          for (const [hidden, [layer, at]] of Object.entries(network.taps)) {
            const captured = await capture(model, input, layer, { at, keep: true, gram: false, bias: 'include' });
            const values = captured.values!;
            const expected32 = network.reference.float32[hidden]!;
            const expected64 = network.reference.float64[hidden]!;
            expect(values.shape).toEqual(expected64.shape);
            const error32 = maxAbs(values.data, expected32.data);
            const error64 = maxAbs(values.data, expected64.data);
            expect(error32, `${hidden} vs float32`).toBeLessThan(1e-6);
            expect(error64, `${hidden} vs float64`).toBeLessThan(1e-12);
          }
          const output = forward(model, input);
          expect(maxAbs(output.data, network.reference.float64.output!.data)).toBeLessThan(1e-12);
        });
      }
    });
  }

  it("bias 'exclude' removes exactly one offset per channel from PyTorch's preactivations (the bias, or the folded bias of a batch norm)", async () => {
    for (const network of fixtureNetworks()) {
      const { model } = network.sources()[0]!;
      for (const [hidden, [layer, at]] of Object.entries(network.taps)) {
        if (at !== 'preactivation') continue;
        const excluded = await capture(model, network.reference.input, layer, { at, keep: true, gram: false });
        expect(excluded.bias).toBe('exclude');
        const withBias = network.reference.float64[hidden]!;
        const values = excluded.values!.data;
        const { channels, positions, samples } = excluded;
        const biasLayer = model.layers.find((l) => l.name === excluded.biasLayer)!;
        const direct = model.layers[excluded.layerIndex] === biasLayer;
        for (let c = 0; c < channels; c++) {
          const offset = withBias.data[c * positions]! - values[c * positions]!;
          if (direct && isLinearLayer(biasLayer)) expect(Math.abs(offset - biasLayer.bias!.data[c]!), `${network.name} ${hidden} channel ${c}`).toBeLessThan(1e-12);
          for (let n = 0; n < samples; n++) {
            for (let p = 0; p < positions; p++) {
              const k = (n * channels + c) * positions + p;
              expect(Math.abs(withBias.data[k]! - values[k]! - offset), `${network.name} ${hidden}`).toBeLessThan(1e-12);
            }
          }
        }
      }
    }
  });

  it("the Gram with bias 'exclude' and 'include' matches PyTorch's (F.linear / F.conv with bias=None or b), for every preactivation tap", async () => {
    const grams = jsonOf<Record<string, Record<string, { channels: number; exclude: number[]; include: number[] }>>>(LOCAL, 'bias-grams.json');
    let compared = 0;
    for (const network of fixtureNetworks()) {
      for (const { label, model } of network.sources()) {
        for (const [hidden, [layer, at]] of Object.entries(network.taps)) {
          if (at !== 'preactivation') continue;
          const expected = grams[network.name]![hidden]!;
          for (const mode of ['exclude', 'include'] as const) {
            const result = await capture(model, network.reference.input, layer, { bias: mode });
            expect(result.bias).toBe(mode);
            expect(result.channels).toBe(expected.channels);
            // float64 sums of at most a few hundred products in another order: a few hundred ulps
            const scale = Math.max(...expected[mode].map(Math.abs));
            expect(maxAbs(result.gram!.to1DArray(), expected[mode]) / scale, `${label} ${hidden} ${mode}`).toBeLessThan(1e-12);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * (2 * 3 + 1 * 3 + 3 * 2 + 2 * 2));
  });

  it('records the precision of the weights it was given', () => {
    const [mlp] = fixtureNetworks();
    const sources = mlp!.sources();
    expect(sources.map((s) => s.model.precision)).toEqual(['float32', 'float32', 'float64']);
  });
});
