/**
 * What descrambling one layer will cost, said before it starts: the exact descrambler of `d`
 * units takes two symmetric eigendecompositions of `d x d` matrices and a few `d x d` products,
 * so time grows like `d^3` and memory like `d^2`. A layer whose working set would not fit in
 * what this page allows itself is refused with that reason, before anything runs.
 */

/**
 * Seconds per `d^3` of `descramble` in this page: measured 2.9 ns in Chromium (d = 1024, 3.0 s)
 * and 6 ns in Node on a loaded 2-core Xeon; the larger, so the estimate errs long.
 */
export const SECONDS_PER_CUBIC_UNIT = 6e-9;

/**
 * Float64 matrices of `d x d` alive at once while descrambling (the Gram, A, the eigenvectors
 * of each, P and a product), plus `P W` and `W` of `d x fanIn`.
 */
const SQUARE_MATRICES = 6;
const WIDE_MATRICES = 3;

/** What this page allows one descrambling to hold: a browser tab's worker rarely gets more than a few GB, and shares it. */
export const LAYER_MEMORY_LIMIT_BYTES = 1024 ** 3;

export interface LayerCost {
  readonly seconds: number;
  readonly bytes: number;
  /** Null when the layer fits; else why not, in words. */
  readonly refusal: string | null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `about ${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `about ${(seconds / 60).toFixed(0)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

/** The cost of descrambling a layer of `units` units and `fanIn` inputs per unit. */
export function layerCost(name: string, units: number, fanIn: number): LayerCost {
  const seconds = SECONDS_PER_CUBIC_UNIT * units ** 3;
  const bytes = 8 * (SQUARE_MATRICES * units * units + WIDE_MATRICES * units * fanIn);
  const refusal =
    bytes > LAYER_MEMORY_LIMIT_BYTES
      ? `layer ${name} has ${units} units: its exact descrambler needs about ${formatBytes(bytes)} of float64 matrices ` +
        `(${SQUARE_MATRICES} of ${units} x ${units}), more than the ${formatBytes(LAYER_MEMORY_LIMIT_BYTES)} this page allows itself in a browser tab; ` +
        'descramble it with the command-line tool instead'
      : null;
  return { seconds, bytes, refusal };
}
