/**
 * Messages between the page and the compute worker. Matrices travel as row-major
 * Float64Arrays (their buffers are transferred, not copied). Every request carries an id;
 * the worker answers with any number of `progress` and `partial` messages and one `done`
 * or `error`. Cancelling terminates the worker (the computations are synchronous). The worker
 * keeps the visitor's files, parsed once, between requests: every request names them by a key
 * and carries the `File` handles (cloning one copies no bytes), so a fresh worker (after a
 * cancel) reads them again and an old one does not.
 */
import type { SmoothnessOperator, StrategyName } from '@descramble/descramblers';
import type { Figure } from '@descramble/figures';

/** A dense matrix on the wire. */
export interface WireMatrix {
  readonly rows: number;
  readonly columns: number;
  /** Row-major, length rows * columns. */
  readonly data: Float64Array;
}

/** Tour views computed from the packages directly. */
export type TourViewName = 'isotropic' | 'linear' | 'convolution' | 'deernet' | 'bandpass';

export interface TourParams {
  readonly view: TourViewName;
  /** Samples of isotropic input data; 0 means the large-data limit (Theorem 2). */
  readonly samples: number;
  readonly operator: SmoothnessOperator;
  /** Which strategy's descrambled weights to show next to the exact ones. */
  readonly strategy: StrategyName;
  /** Training time t / tau (two-layer linear network only). */
  readonly time: number;
  /** Training epochs (band-pass network only). */
  readonly epochs: number;
  readonly seed: number;
}

/** The certificate of an exact descrambler (Lemma 1), as numbers a page can print. */
export interface Certificate {
  readonly value: number;
  readonly optimum: number;
  readonly gap: number;
  readonly familyDimension: number;
  readonly tiesA: number;
  readonly tiesB: number;
  readonly rankB: number;
  readonly explanationGap: number;
}

/** What the page draws once the exact descrambler is known. */
export interface ExactPayload {
  readonly weights: WireMatrix;
  readonly descrambled: WireMatrix;
  readonly descrambler: WireMatrix;
  readonly rawSpectrum: WireMatrix;
  readonly descrambledSpectrum: WireMatrix;
  readonly certificate: Certificate;
  /** How B was obtained, in words. */
  readonly method: string;
  /** Tie-invariant distance to the Theorem 2 (large-data) descrambler; null in the limit itself. */
  readonly distanceToLimit: number | null;
  readonly singularValues: Float64Array;
  /** Milliseconds the worker spent on the exact descrambler (from data to P). */
  readonly exactMs: number;
}

/**
 * A first look at a view whose data is slow to generate (DEERNet): the exact descrambler
 * (Lemma 1) of the Gram matrix of the first `traces` of the requested `samples` inputs, drawn
 * at once; the `exact` message with all of them follows and replaces it.
 */
export interface FirstLookPayload {
  readonly weights: WireMatrix;
  readonly descrambled: WireMatrix;
  readonly descrambler: WireMatrix;
  readonly certificate: Certificate;
  readonly method: string;
  readonly exactMs: number;
  readonly traces: number;
  readonly samples: number;
}

export interface StrategyRow {
  readonly name: StrategyName;
  readonly value: number;
  readonly gap: number;
  readonly iterations: number;
  readonly timeMs: number;
  readonly converged: boolean;
  readonly stoppedBy: string;
  readonly distanceToExact: number;
  /** Relative gap per iteration (for the convergence curve). */
  readonly gapLog: Float64Array;
}

export interface StrategiesPayload {
  readonly rows: readonly StrategyRow[];
  /** Descrambled weights of the chosen strategy. */
  readonly chosen: WireMatrix;
  readonly chosenName: StrategyName;
}

/** View-specific figures (serialisable figure descriptions) and facts, e.g. DEERNet's Figure 4. */
export interface ExtraPayload {
  readonly heading: string;
  readonly figures: readonly { readonly key: string; readonly caption: string; readonly figure: Figure }[];
  readonly facts: readonly (readonly [string, string])[];
}

export interface TensorSummary {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

export interface InputFile {
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

/** Files the visitor chose, as the page posts them: `key` changes whenever the choice does. */
export interface ChosenFiles {
  readonly key: number;
  readonly files: readonly File[];
}

export interface InspectRequest {
  readonly model: ChosenFiles;
}

/** `ModelRequest` as posted: the files by key (parsed once in the worker). */
export interface ModelJob extends Omit<ModelRequest, 'files' | 'data'> {
  readonly model: ChosenFiles;
  readonly data?: ChosenFiles;
}

export interface ModelRequest {
  readonly files: readonly InputFile[];
  readonly layer: string;
  /** Transpose the tensor first (Keras kernels are in x out). */
  readonly transpose: boolean;
  readonly operator: SmoothnessOperator;
  readonly data?: InputFile;
  /** Tensor of the data file to use; default: the first 2-D (or 1-D) one that fits. */
  readonly dataTensor?: string;
}

export interface ModelPayload extends ExactPayload {
  readonly layer: string;
  readonly source: 'data' | 'isotropic';
  readonly sampleCount: number | null;
  readonly downloads: {
    readonly descramblerNpy: Uint8Array;
    readonly descrambledNpy: Uint8Array;
    readonly safetensors: Uint8Array;
    readonly report: string;
  };
}

/** A node of an ONNX graph, in file order; `layer` indexes `GraphSummary.layers` for a linear layer. */
export interface GraphNodeSummary {
  readonly name: string;
  readonly opType: string;
  readonly layer: number | null;
}

/** A linear layer of the graph (nets' `GraphLayer`) and what descrambling it would cost. */
export interface GraphLayerSummary {
  readonly index: number;
  readonly name: string;
  readonly node: string;
  readonly opType: string;
  readonly units: number;
  readonly fanIn: number;
  readonly inChannels: number;
  /** Its units reach a graph output unmixed: already ordered, not descrambled. */
  readonly isOutput: boolean;
  readonly seconds: number;
  readonly bytes: number;
  /** Why this page will not descramble it (too large), or null. */
  readonly refusal: string | null;
}

export interface GraphSummary {
  readonly file: string;
  readonly inputs: readonly { readonly name: string; readonly shape: readonly (number | string | null)[] | null; readonly dtype: string | null }[];
  readonly nodes: readonly GraphNodeSummary[];
  readonly layers: readonly GraphLayerSummary[];
}

export interface GraphDataSummary {
  readonly file: string;
  readonly samples: number;
  readonly shape: readonly number[];
  readonly dtype: string;
}

export interface GraphDataRequest {
  readonly model: ChosenFiles;
  readonly data: ChosenFiles;
}

export interface DescrambleGraphRequest extends GraphDataRequest {
  readonly operator: SmoothnessOperator;
}

/** How ONNX Runtime Web was set up. */
export interface RuntimePayload {
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  readonly wasm: string;
}

export interface CapturedPayload {
  readonly layers: readonly { readonly name: string; readonly units: number; readonly rows: number; readonly positions: number }[];
  readonly samples: number;
  readonly ms: number;
}

/** One hidden layer descrambled: W and P W (units x fan-in) and the certificate. */
export interface GraphLayerPayload {
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly weights: WireMatrix;
  readonly descrambled: WireMatrix;
  readonly certificate: Certificate;
  readonly samples: number;
  /** Rows of S summed into the Gram (samples x positions). */
  readonly rows: number;
  readonly ms: number;
}

/** A channel group of the graph and what the permuted ONNX did with it. */
export interface PermutedGroup {
  readonly id: number;
  readonly size: number;
  /** Layers whose output units are these channels. */
  readonly writers: readonly string[];
  /** Layers reading them as inputs. */
  readonly readers: readonly string[];
  readonly permuted: boolean;
  /** Why it was left in place. */
  readonly reason: string | null;
  /** tr(A Pi B Pi^T) of the permutation chosen, and the Lemma 1 optimum over all rotations (a lower bound). */
  readonly value: number | null;
  readonly lowerBound: number | null;
  /** Channels that moved. */
  readonly moved: number;
}

/** The downloadable permuted ONNX and the evidence that it computes the same function. */
export interface PermutedPayload {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly groups: readonly PermutedGroup[];
  /** Samples both graphs were run on. */
  readonly samples: number;
  readonly maxAbsDifference: number;
  readonly maxRelativeDifference: number;
  /** New channel i of group id is old channel permutation[i]. */
  readonly permutations: readonly { readonly id: number; readonly permutation: readonly number[] }[];
}

/** Every captured Gram, by layer name (the tests' debug hook). */
export interface GramsPayload {
  readonly grams: readonly { readonly name: string; readonly gram: WireMatrix; readonly rows: number }[];
}

export type Request =
  | { readonly id: number; readonly type: 'tour'; readonly params: TourParams }
  | { readonly id: number; readonly type: 'inspect'; readonly request: InspectRequest }
  | { readonly id: number; readonly type: 'model'; readonly request: ModelJob }
  | { readonly id: number; readonly type: 'graph-data'; readonly request: GraphDataRequest }
  | { readonly id: number; readonly type: 'descramble-graph'; readonly request: DescrambleGraphRequest }
  | { readonly id: number; readonly type: 'grams'; readonly request: GraphDataRequest };

export type Response =
  | { readonly id: number; readonly kind: 'progress'; readonly stage: string; readonly fraction: number }
  | { readonly id: number; readonly kind: 'first-look'; readonly payload: FirstLookPayload }
  | { readonly id: number; readonly kind: 'exact'; readonly payload: ExactPayload }
  | { readonly id: number; readonly kind: 'strategies'; readonly payload: StrategiesPayload }
  | { readonly id: number; readonly kind: 'extra'; readonly payload: ExtraPayload }
  | { readonly id: number; readonly kind: 'tensors'; readonly payload: readonly TensorSummary[] }
  | { readonly id: number; readonly kind: 'model'; readonly payload: ModelPayload }
  | { readonly id: number; readonly kind: 'graph'; readonly payload: GraphSummary }
  | { readonly id: number; readonly kind: 'graph-data'; readonly payload: GraphDataSummary }
  | { readonly id: number; readonly kind: 'runtime'; readonly payload: RuntimePayload }
  | { readonly id: number; readonly kind: 'captured'; readonly payload: CapturedPayload }
  | { readonly id: number; readonly kind: 'graph-layer'; readonly payload: GraphLayerPayload }
  | { readonly id: number; readonly kind: 'grams'; readonly payload: GramsPayload }
  | { readonly id: number; readonly kind: 'permuted'; readonly payload: PermutedPayload }
  | { readonly id: number; readonly kind: 'graph-report'; readonly payload: { readonly json: string } }
  | { readonly id: number; readonly kind: 'done' }
  | { readonly id: number; readonly kind: 'error'; readonly message: string; readonly errorName: string };
