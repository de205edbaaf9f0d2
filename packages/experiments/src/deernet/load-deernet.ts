import { fromFloat64Array } from '@descramble/linalg';
import { readSafetensorsModel, type SequentialModel } from '@descramble/nets';
import type { Matrix } from 'ml-matrix';
import { DEERNET_CARD_JSON, DEERNET_SAFETENSORS_BASE64 } from './deernet-weights.js';
import { experimentsScope, InvalidArgumentError, MalformedModelError } from '../errors.js';

/** Error of the network on a sample of traces, in the units of `deerNetQuality`. */
export interface DeerNetErrorSummary {
  readonly traces: number;
  readonly loss: number;
  readonly meanAbsoluteError: number;
  readonly densityMeanAbsoluteError: number;
  readonly totalVariation: number;
  readonly meanDistanceError: number;
  readonly meanDistanceRmse: number;
  /** Standard deviation over traces of the per-trace mean absolute error (for confidence intervals). */
  readonly perTraceMeanAbsoluteErrorStd: number;
}

/** The model card written by scripts/train-deernet.ts. */
export interface DeerNetCard {
  readonly name: string;
  readonly architecture: string;
  readonly data: {
    readonly generator: string;
    readonly variant: 'spinach' | '2018';
    readonly timePoints: number;
    readonly maxTimeMicroseconds: number;
    readonly distancePoints: number;
    readonly distanceRangeNm: readonly [number, number];
    readonly targetScaling: 'peak' | 'mean-one' | 'sum-one';
    readonly peakHeight: number;
    readonly trainingTraces: number;
    readonly trainingSeed: number;
    readonly heldOutTraces: number;
    readonly heldOutSeed: number;
  };
  readonly training: {
    readonly optimizer: string;
    readonly schedule: readonly { readonly learningRate: number; readonly epochs: number }[];
    readonly epochs: number;
    readonly batchSize: number;
    readonly initialisation: string;
    readonly initialisationSeed: number;
    readonly shuffleSeed: number;
    readonly loss: string;
    readonly history: readonly { readonly epoch: number; readonly learningRate: number; readonly trainingLoss: number; readonly heldOutLoss: number }[];
  };
  readonly trainingError: DeerNetErrorSummary;
  readonly heldOutError: DeerNetErrorSummary;
  readonly seconds: { readonly generation: number; readonly training: number; readonly total: number };
  readonly weights: 'float32' | 'float64';
}

/** The bundled DEERNet: the model, its two weight matrices and biases, and its card. */
export interface DeerNet {
  readonly model: SequentialModel;
  /** W1, 80 x 256 (hidden x time points). */
  readonly firstWeights: Matrix;
  readonly firstBias: Float64Array;
  /** W2, 256 x 80 (distance points x hidden). */
  readonly secondWeights: Matrix;
  readonly secondBias: Float64Array;
  readonly card: DeerNetCard;
  /** The safetensors bytes as shipped. */
  readonly safetensors: Uint8Array;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with padding) to bytes, without Node's Buffer or the DOM's atob. */
export function decodeBase64(text: string): Uint8Array {
  const lookup = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) lookup[ALPHABET.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const value = code < 128 ? (lookup[code] as number) : -1;
    if (value < 0) throw new InvalidArgumentError({ operation: 'decodeBase64', argument: 'text', what: `invalid character at ${i}`, ...experimentsScope });
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

function denseParameters(model: SequentialModel, index: number): { weights: Matrix; bias: Float64Array } {
  const layer = model.layers.filter((l) => l.kind === 'dense')[index];
  if (layer?.kind !== 'dense') throw new MalformedModelError({ operation: 'loadDeerNet', reason: `the bundled model has no dense layer ${index}` });
  const [rows, columns] = layer.weight.shape as [number, number];
  return {
    weights: fromFloat64Array(layer.weight.data, rows, columns),
    bias: layer.bias === null ? new Float64Array(rows) : Float64Array.from(layer.bias.data),
  };
}

/**
 * The DEERNet bundled with this package (256 -> 80 tanh -> 256 logistic, trained by
 * scripts/train-deernet.ts from a fixed seed), decoded from the embedded safetensors bytes.
 * Works in Node and in the browser (no file access).
 */
export function loadDeerNet(): DeerNet {
  const safetensors = decodeBase64(DEERNET_SAFETENSORS_BASE64);
  const model = readSafetensorsModel(safetensors, undefined, 'deernet.safetensors');
  const first = denseParameters(model, 0);
  const second = denseParameters(model, 1);
  return {
    model,
    firstWeights: first.weights,
    firstBias: first.bias,
    secondWeights: second.weights,
    secondBias: second.bias,
    card: JSON.parse(DEERNET_CARD_JSON) as DeerNetCard,
    safetensors,
  };
}
