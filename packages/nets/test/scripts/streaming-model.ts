import { createRng } from '@descramble/linalg';
import { activation, dense, type SequentialModel, sequential } from '../../src/layers.js';

/** The model of the streaming test: dense features -> hidden (seeded), tanh, dense hidden -> 4. */
export function streamingModel(seed: number, features: number, hidden: number): SequentialModel {
  const rng = createRng(seed);
  const scale = 1 / Math.sqrt(features);
  return sequential(
    [features],
    [
      dense({ name: 'fc1', weight: { shape: [hidden, features], data: rng.normalArray(hidden * features).map((v) => v * scale) }, bias: rng.normalArray(hidden) }),
      activation('tanh', 'act1'),
      dense({ name: 'fc2', weight: { shape: [4, hidden], data: rng.normalArray(4 * hidden) }, bias: null }),
    ],
  );
}
