import { describe, expect, it } from 'vitest';
import { capture } from '../src/capture.js';
import { forward } from '../src/forward.js';
import { fixtureNetworks, maxAbs } from './helpers.js';

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

  it('records the precision of the weights it was given', () => {
    const [mlp] = fixtureNetworks();
    const sources = mlp!.sources();
    expect(sources.map((s) => s.model.precision)).toEqual(['float32', 'float32', 'float64']);
  });
});
