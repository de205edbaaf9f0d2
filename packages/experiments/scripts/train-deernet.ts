/**
 * Trains the bundled DEERNet (256 -> 80 tanh -> 256 logistic) from a fixed seed on traces from
 * the Spinach-default generator (target peak height 0.75) and writes, into src/deernet/:
 *   deernet.safetensors   float32 weights with the architecture in the metadata
 *   deernet-card.json     data parameters, seed, schedule, training and held-out error, time
 *   deernet-weights.ts    the same two, embedded (base64) so Node and bundlers can import them
 * Deterministic: the same script gives the same bytes (up to the recorded wall-clock times).
 *
 *   pnpm --filter @descramble/experiments run train
 * Environment (for quick checks only; the shipped network uses the defaults): DEERNET_TRACES,
 * DEERNET_SCHEDULE (JSON list of { learningRate, epochs }), DEERNET_OUT_DIR.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createRng } from '@descramble/linalg';
import { createMlp, dense, type SequentialModel, sequential, trainMlp, writeSafetensorsModel } from '@descramble/nets';
import { deerDatasetSpec, generateDeerBatch } from '../src/deer/training-set.js';
import { deerNetQuality } from '../src/deernet/deernet-quality.js';
import { DEERNET_HELD_OUT_SEED, DEERNET_HELD_OUT_TRACES } from '../src/deernet/deernet-constants.js';

const TRAINING_TRACES = Number(process.env.DEERNET_TRACES ?? 30000);
const DATA_SEED = 20180101;
const INIT_SEED = 80;
const SHUFFLE_SEED = 256;
const BATCH_SIZE = 64;
/**
 * W1 starts at N(0, FIRST_LAYER_INIT_STD^2) instead of Glorot: whatever of the initial weights
 * the data never act on stays in W1 for good under minibatch Adam, and Glorot's white noise
 * (amplitude ~0.13) would then hide the low-pass structure the paper reads off the spectrum.
 * A converged full-batch run (the 2021 paper used scaled conjugate gradient) has the same effect.
 */
const FIRST_LAYER_INIT_STD = 0.003;
const SCHEDULE: readonly { readonly learningRate: number; readonly epochs: number }[] = JSON.parse(
  process.env.DEERNET_SCHEDULE ?? '[{"learningRate":0.002,"epochs":8},{"learningRate":0.0007,"epochs":7},{"learningRate":0.0002,"epochs":5}]',
);

const started = performance.now();
const spec = deerDatasetSpec();
const training = generateDeerBatch(spec, createRng(DATA_SEED), TRAINING_TRACES);
const heldOut = generateDeerBatch(spec, createRng(DEERNET_HELD_OUT_SEED), DEERNET_HELD_OUT_TRACES);
const generationSeconds = (performance.now() - started) / 1000;
console.log(`generated ${TRAINING_TRACES} + ${DEERNET_HELD_OUT_TRACES} traces in ${generationSeconds.toFixed(1)} s`);

const glorot = createMlp({ sizes: [256, 80, 256], activation: 'tanh', outputActivation: 'logistic', seed: INIT_SEED });
const initRng = createRng(INIT_SEED + 1);
let model: SequentialModel = sequential(
  [256],
  glorot.layers.map((layer) =>
    layer.kind === 'dense' && layer.name === 'fc1'
      ? dense({
          name: 'fc1',
          weight: { shape: [80, 256], data: Float64Array.from({ length: 80 * 256 }, () => FIRST_LAYER_INIT_STD * initRng.normal()) },
          bias: new Float64Array(80),
        })
      : layer,
  ),
);
const trainingStarted = performance.now();
let epoch = 0;
const history: { epoch: number; learningRate: number; trainingLoss: number; heldOutLoss: number }[] = [];
for (const [phase, { learningRate, epochs }] of SCHEDULE.entries()) {
  const result = trainMlp(model, {
    inputs: { shape: [training.count, 256], data: training.inputs },
    targets: { shape: [training.count, 256], data: training.targets },
    optimizer: { kind: 'adam', learningRate },
    epochs,
    batchSize: BATCH_SIZE,
    seed: SHUFFLE_SEED + phase,
    onEpoch: (report) => {
      console.log(`epoch ${epoch + report.epoch} lr ${learningRate} loss ${report.loss.toFixed(5)} (${(report.elapsed / 1000).toFixed(0)} s)`);
      return undefined;
    },
  });
  model = result.model;
  epoch += result.epochs;
  const held = deerNetQuality(model, spec, heldOut);
  history.push({ epoch, learningRate, trainingLoss: result.losses[result.epochs - 1] ?? Number.NaN, heldOutLoss: held.loss });
  console.log(`phase ${phase}: held-out loss ${held.loss.toFixed(5)}, TV ${held.totalVariation.toFixed(4)}, <r> error ${held.meanDistanceError.toFixed(4)} nm`);
}
const trainingSeconds = (performance.now() - trainingStarted) / 1000;

// Round to float32: the shipped weights are what the card's errors are measured on.
const rounded = sequential(
  model.inputShape,
  model.layers.map((layer) => {
    if (layer.kind !== 'dense') return layer;
    return {
      ...layer,
      weight: { shape: layer.weight.shape, data: layer.weight.data.map(Math.fround) },
      bias: layer.bias === null ? null : { shape: layer.bias.shape, data: layer.bias.data.map(Math.fround) },
    };
  }),
  { precision: 'float32' },
);
const trainQuality = deerNetQuality(rounded, spec, generateDeerBatch(spec, createRng(DATA_SEED), Math.min(TRAINING_TRACES, 5000)));
const heldQuality = deerNetQuality(rounded, spec, heldOut);
const summary = (q: ReturnType<typeof deerNetQuality>) => ({
  traces: q.traces,
  loss: q.loss,
  meanAbsoluteError: q.meanAbsoluteError,
  densityMeanAbsoluteError: q.densityMeanAbsoluteError,
  totalVariation: q.totalVariation,
  meanDistanceError: q.meanDistanceError,
  meanDistanceRmse: q.meanDistanceRmse,
  perTraceMeanAbsoluteErrorStd: standardDeviation(q.perTraceMeanAbsoluteError),
});
function standardDeviation(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let s = 0;
  for (const v of values) s += (v - mean) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

const card = {
  name: 'descramble DEERNet',
  architecture: '256 -> dense 80 -> tanh -> dense 256 -> logistic (biases on)',
  data: {
    generator: 'deerDatasetSpec() defaults: Spinach deer_lib_gen distributions (docs/deer.md)',
    variant: spec.variant,
    timePoints: spec.times.length,
    maxTimeMicroseconds: spec.times[spec.times.length - 1],
    distancePoints: spec.distances.length,
    distanceRangeNm: [spec.distances[0], spec.distances[spec.distances.length - 1]],
    targetScaling: spec.targetScaling,
    peakHeight: spec.peakHeight,
    trainingTraces: TRAINING_TRACES,
    trainingSeed: DATA_SEED,
    heldOutTraces: DEERNET_HELD_OUT_TRACES,
    heldOutSeed: DEERNET_HELD_OUT_SEED,
  },
  training: {
    optimizer: 'adam',
    schedule: SCHEDULE,
    epochs: epoch,
    batchSize: BATCH_SIZE,
    initialisation: `fc1: N(0, ${FIRST_LAYER_INIT_STD}^2); fc2: glorot-uniform`,
    initialisationSeed: INIT_SEED,
    shuffleSeed: SHUFFLE_SEED,
    loss: 'half squared error summed over 256 outputs, mean over traces',
    history,
  },
  trainingError: summary(trainQuality),
  heldOutError: summary(heldQuality),
  seconds: { generation: generationSeconds, training: trainingSeconds, total: (performance.now() - started) / 1000 },
  weights: 'float32',
};
const bytes = writeSafetensorsModel(rounded);
// DEERNET_OUT_DIR (a directory path ending in '/') redirects the outputs, e.g. to check determinism.
const directory = process.env.DEERNET_OUT_DIR === undefined ? new URL('../src/deernet/', import.meta.url) : pathToFileURL(process.env.DEERNET_OUT_DIR);
writeFileSync(new URL('deernet.safetensors', directory), bytes);
writeFileSync(new URL('deernet-card.json', directory), `${JSON.stringify(card, null, 2)}\n`);
const base64 = Buffer.from(bytes).toString('base64');
const lines: string[] = [];
for (let i = 0; i < base64.length; i += 120) lines.push(`  '${base64.slice(i, i + 120)}',`);
writeFileSync(
  new URL('deernet-weights.ts', directory),
  `// Generated by scripts/train-deernet.ts; do not edit. The bundled DEERNet's safetensors bytes
// (base64) and its card, as a module both Node and bundlers import.
export const DEERNET_SAFETENSORS_BASE64: string = [
${lines.join('\n')}
].join('');

export const DEERNET_CARD_JSON: string = ${JSON.stringify(JSON.stringify(card))};
`,
);
console.log(JSON.stringify(card.heldOutError, null, 2));
console.log(`wrote ${bytes.length} bytes; total ${card.seconds.total.toFixed(0)} s`);
