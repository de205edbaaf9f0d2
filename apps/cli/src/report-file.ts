import { packageVersions, VERSION } from './version.js';

/** Top level of report.json; `layers` hold descramblers' `LayerReport`s (see report.schema.json). */
export interface ReportDocument {
  readonly format: 'descramble-report';
  readonly formatVersion: 1;
  readonly tool: {
    readonly name: 'descramble';
    readonly version: string;
    readonly node: string;
    /** Version of every @descramble package the CLI ran on. */
    readonly packages: Readonly<Record<string, string | null>>;
  };
  readonly command: string;
  readonly arguments: readonly string[];
  readonly seed: number;
  readonly createdAt: string;
  readonly layers: readonly unknown[];
  readonly files: readonly string[];
  readonly [extra: string]: unknown;
}

export function reportDocument(fields: {
  command: string;
  arguments: readonly string[];
  seed: number;
  layers: readonly unknown[];
  files: readonly string[];
  extra?: Record<string, unknown>;
}): ReportDocument {
  return {
    format: 'descramble-report',
    formatVersion: 1,
    tool: { name: 'descramble', version: VERSION, node: process.version, packages: packageVersions() },
    command: fields.command,
    arguments: fields.arguments,
    seed: fields.seed,
    createdAt: new Date().toISOString(),
    layers: fields.layers,
    files: fields.files,
    ...fields.extra,
  };
}

/**
 * JSON with non-finite numbers spelled out: +-Infinity (a notch of an exactly empty line, an
 * eigengap of a single tie group) become the strings "Infinity" / "-Infinity"; NaN is a bug
 * and throws rather than silently becoming null.
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(
    value,
    (key, item) => {
      if (typeof item === 'number' && !Number.isFinite(item)) {
        if (Number.isNaN(item)) throw new Error(`report: NaN at '${key}'`);
        return item > 0 ? 'Infinity' : '-Infinity';
      }
      if (item instanceof Float64Array || item instanceof Int32Array) return Array.from(item);
      return item;
    },
    2,
  )}\n`;
}
