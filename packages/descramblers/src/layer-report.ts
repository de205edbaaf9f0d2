import type { Matrix } from 'ml-matrix';
import type { RelativeGap } from '@descramble/orthogonal';
import { bandEdges, DegenerateInputError, NOTCH_DEPTH_CONVENTION, notchDepth, weightSpectrum } from '@descramble/spectral';
import { type DescrambleLayerInput, descrambleLayer, type LayerDescrambler } from './descramble-layer.js';
import type { ExactDescrambler } from './exact-descrambler.js';
import type { TieGroup } from './spectrum.js';

/** Numbers read off the centred 2-D spectrum of descrambled weights (docs/theory.md section 8). */
export interface SpectralSummary {
  /**
   * Notch at zero input frequency, dB against the two neighbouring columns each side (sign:
   * `notchConvention`); null when it is undefined for these weights (`notchUndefined` says why).
   */
  readonly notchDepthDb: number | null;
  /** Why there is no notch depth (one input, or no energy beside zero frequency); absent when there is one. */
  readonly notchUndefined?: string;
  /** The sign convention of `notchDepthDb`, in words. */
  readonly notchConvention: string;
  /** Smallest |k| along the input axis holding 90% of the energy. */
  readonly inputBand90: number;
  /** Smallest |k| along the hidden axis holding 90% of the energy. */
  readonly hiddenBand90: number;
}

export function spectralSummary(weights: Matrix): SpectralSummary {
  const spectrum = weightSpectrum(weights);
  // a layer with one input, or weights constant along the input axis, has no notch to measure:
  // the report says so rather than failing the whole layer
  let notch: Pick<SpectralSummary, 'notchDepthDb' | 'notchUndefined'>;
  try {
    notch = { notchDepthDb: notchDepth(spectrum).depthDb };
  } catch (error) {
    if (!DegenerateInputError.isInstance(error)) throw error;
    notch = { notchDepthDb: null, notchUndefined: error.summary };
  }
  return {
    ...notch,
    notchConvention: NOTCH_DEPTH_CONVENTION,
    inputBand90: bandEdges(spectrum, 1, 0.9).halfWidth,
    hiddenBand90: bandEdges(spectrum, 0, 0.9).halfWidth,
  };
}

/** Whether a layer's data S included its bias; unknown when a Gram file does not say. */
export type BiasInData = 'include' | 'exclude' | 'unknown';

interface ReportTie {
  readonly indices: readonly number[];
  readonly value: number;
  readonly reason: TieGroup['reason'];
}

/**
 * What a descrambling of one layer found, as plain data (numbers, strings, arrays): the layer
 * record of the CLI's report.json and of the demo. Gaps follow orthogonal's `relativeGap`.
 */
export interface LayerReport
  extends Pick<
    ExactDescrambler,
    | 'optimum'
    | 'gap'
    | 'absoluteGap'
    | 'gapScale'
    | 'gapRoundoff'
    | 'withinRoundoff'
    | 'gapNormalisation'
    | 'familyDimension'
    | 'exactFamilyDimension'
    | 'tieRule'
    | 'gramRank'
    | 'rankRule'
    | 'sampleCount'
    | 'warnings'
  > {
  readonly name: string;
  readonly weights: { readonly file: string; readonly tensor: string; readonly shape: readonly [number, number] };
  /** Where B came from: data, a Gram matrix, a second moment, or isotropic inputs (W W^T). */
  readonly source: 'data' | 'gram' | 'secondMoment' | 'isotropic';
  readonly bias: BiasInData;
  readonly operator: string;
  readonly group: string;
  readonly strategy: string;
  readonly rescale: boolean;
  /** tr(A P B P^T) of the reported descrambler (the exact one's, or `chosen`'s; its gap fields likewise). */
  readonly value: number;
  readonly ties: { readonly a: readonly ReportTie[]; readonly b: readonly ReportTie[] };
  readonly eigengaps: { readonly smallestA: number; readonly smallestB: number };
  readonly spectrum: SpectralSummary;
  readonly timings: Readonly<Record<string, number>>;
  readonly solver?: Readonly<Record<string, unknown>>;
}

/** A descrambler other than the exact one (an iterative strategy, a permutation group), to report instead. */
export interface ChosenDescrambler {
  readonly strategy: string;
  readonly group: string;
  readonly value: number;
  /** Its gap to the Lemma 1 optimum (orthogonal's `relativeGap`). */
  readonly gap: RelativeGap;
  readonly descrambledWeights: Matrix;
  readonly solver?: Readonly<Record<string, unknown>>;
}

/** Where the layer came from, for the report. */
export interface LayerIdentity {
  readonly name: string;
  readonly file: string;
  readonly tensor: string;
  readonly source: LayerReport['source'];
  readonly bias: BiasInData;
  readonly operator: string;
  readonly rescale: boolean;
  readonly timings?: Readonly<Record<string, number>>;
}

function ties(groups: readonly TieGroup[]): ReportTie[] {
  return groups.map((t) => ({ indices: [...t.indices], value: t.value, reason: t.reason }));
}

/** An exact descrambler with its descrambled weights: `descrambleLayer`'s or `isotropicDescrambler`'s result. */
export type ReportedDescrambler = ExactDescrambler & { readonly descrambledWeights: Matrix };

/** The report of an exact descrambling, or of `chosen` measured against it. */
export function layerReport(result: ReportedDescrambler, weights: Matrix, identity: LayerIdentity, chosen?: ChosenDescrambler): LayerReport {
  const gap = chosen?.gap ?? {
    gap: result.gap,
    absoluteGap: result.absoluteGap,
    scale: result.gapScale,
    roundoff: result.gapRoundoff,
    withinRoundoff: result.withinRoundoff,
  };
  const report: LayerReport = {
    name: identity.name,
    weights: { file: identity.file, tensor: identity.tensor, shape: [weights.rows, weights.columns] },
    source: identity.source,
    sampleCount: result.sampleCount,
    bias: identity.bias,
    operator: identity.operator,
    group: chosen?.group ?? result.group,
    strategy: chosen?.strategy ?? 'exact',
    rescale: identity.rescale,
    value: chosen?.value ?? result.value,
    optimum: result.optimum,
    gap: gap.gap,
    absoluteGap: gap.absoluteGap,
    gapScale: gap.scale,
    gapRoundoff: gap.roundoff,
    withinRoundoff: gap.withinRoundoff,
    gapNormalisation: gap.scale === Math.abs(result.optimum) ? 'optimum' : 'roundoff',
    familyDimension: result.familyDimension,
    exactFamilyDimension: result.exactFamilyDimension,
    tieRule: result.tieRule,
    gramRank: result.gramRank,
    rankRule: result.rankRule,
    ties: { a: ties(result.ties.a), b: ties(result.ties.b) },
    eigengaps: { smallestA: result.eigengaps.smallestA, smallestB: result.eigengaps.smallestB },
    spectrum: spectralSummary(chosen?.descrambledWeights ?? result.descrambledWeights),
    warnings: result.warnings.map((w) => ({ ...w })),
    timings: identity.timings ?? {},
  };
  return chosen?.solver === undefined ? report : { ...report, solver: chosen.solver };
}

/**
 * A layer to descramble and report: `descrambleLayer`'s input (its bias vector as
 * `biasVector`) and where the layer came from (`bias`: whether its data include the bias).
 */
export type DescribedLayer = Omit<DescrambleLayerInput, 'bias'> &
  Omit<LayerIdentity, 'rescale' | 'operator' | 'timings'> & { readonly biasVector?: ArrayLike<number> };

/**
 * Descrambles one layer exactly (Lemma 1) and reports it: `descrambleLayer` then
 * `layerReport`, timed. The one "descramble a layer and report it" of the CLI and the demo.
 */
export function descramble(layer: DescribedLayer): { readonly result: LayerDescrambler; readonly report: LayerReport } {
  const started = performance.now();
  const { name, file, tensor, source, bias, biasVector, ...input } = layer;
  const result = descrambleLayer({ label: `layer ${name} of ${file}`, ...input, ...(biasVector === undefined ? {} : { bias: biasVector }) });
  const seconds = (performance.now() - started) / 1000;
  const operator = input.smoothness !== undefined ? 'custom' : (input.operator ?? 'fourier');
  const report = layerReport(result, input.weights, { name, file, tensor, source, bias, operator, rescale: input.rescale === true, timings: { descramblerSeconds: seconds } });
  return { result, report };
}
