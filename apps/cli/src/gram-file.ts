import type { BiasMode } from '@descramble/nets';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { GramAccumulator } from '@descramble/linalg';
import { InputError } from './cli-errors.js';
import type { RowRange } from './inputs.js';
import { requireFile } from './inputs.js';

/**
 * A `.gram` file: the GramAccumulator's exact bytes behind a header that says where they came
 * from, so that `merge-gram` can refuse shards that do not belong together:
 *
 *     "DSGRAM\r\n" (8 bytes) | uint32 LE header length | UTF-8 JSON GramProvenance | GramAccumulator bytes
 *
 * (The `\r\n` catches a file mangled by a text-mode transfer, as PNG's signature does.)
 */
export const GRAM_FILE_MAGIC = new Uint8Array([0x44, 0x53, 0x47, 0x52, 0x41, 0x4d, 0x0d, 0x0a]);

/** The accumulator's own magic ("DGRM"): files of descramble 0.1, which carry no provenance. */
const ACCUMULATOR_MAGIC = new Uint8Array([0x44, 0x47, 0x52, 0x4d]);

/** Where a Gram matrix came from. */
export interface GramProvenance {
  readonly format: 'descramble-gram';
  readonly formatVersion: 2;
  /** The model (its file's SHA-256) and layer, or a weight matrix (its file's SHA-256 and tensor). */
  readonly source:
    | { readonly kind: 'model'; readonly file: string; readonly sha256: string; readonly layer: string }
    | { readonly kind: 'weights'; readonly file: string; readonly sha256: string; readonly tensor: string };
  readonly bias: BiasMode;
  /** The data file: its name, size in bytes, tensor and row count (the rows of the whole file). */
  readonly data: { readonly file: string; readonly bytes: number; readonly tensor: string; readonly rows: number };
  /** The data rows summed here: disjoint, sorted, end exclusive. */
  readonly ranges: readonly RowRange[];
  /** Samples summed (rows, times positions for a convolution). */
  readonly count: number;
  readonly dimension: number;
}

/** True when the leading bytes are a `.gram` file's (for `--force`: replace only our own files). */
export function isGramFile(leading: Uint8Array): boolean {
  const starts = (magic: Uint8Array) => leading.length >= magic.length && magic.every((byte, i) => leading[i] === byte);
  return starts(GRAM_FILE_MAGIC) || starts(ACCUMULATOR_MAGIC);
}

/** SHA-256 of a file, streamed (model files may be large). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function encodeGramFile(provenance: GramProvenance, accumulator: GramAccumulator): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(provenance));
  const body = accumulator.toBytes();
  const bytes = new Uint8Array(GRAM_FILE_MAGIC.length + 4 + header.length + body.length);
  bytes.set(GRAM_FILE_MAGIC, 0);
  new DataView(bytes.buffer).setUint32(GRAM_FILE_MAGIC.length, header.length, true);
  bytes.set(header, GRAM_FILE_MAGIC.length + 4);
  bytes.set(body, GRAM_FILE_MAGIC.length + 4 + header.length);
  return bytes;
}

/** A `.gram` file read back: its accumulator and, unless written by descramble 0.1, its provenance. */
export interface GramFile {
  readonly accumulator: GramAccumulator;
  readonly provenance: GramProvenance | undefined;
}

function notGram(file: string, why: string): InputError {
  return new InputError(`${file}: not a Gram file written by 'descramble gram' (${why})`, { file });
}

export async function readGramFile(file: string): Promise<GramFile> {
  requireFile(file);
  const buffer = await readFile(file);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let provenance: GramProvenance | undefined;
  let body = bytes;
  if (bytes.length >= 12 && GRAM_FILE_MAGIC.every((byte, i) => bytes[i] === byte)) {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(GRAM_FILE_MAGIC.length, true);
    const start = GRAM_FILE_MAGIC.length + 4;
    if (start + length > bytes.length) throw notGram(file, `header of ${length} bytes overruns the file of ${bytes.length}`);
    try {
      provenance = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, start + length))) as GramProvenance;
    } catch (error) {
      throw notGram(file, `header is not JSON: ${(error as Error).message}`);
    }
    if (provenance?.format !== 'descramble-gram' || provenance.formatVersion !== 2) throw notGram(file, 'unknown header format');
    body = bytes.subarray(start + length);
  }
  let accumulator: GramAccumulator;
  try {
    accumulator = GramAccumulator.fromBytes(body);
  } catch (error) {
    throw notGram(file, (error as Error).message);
  }
  if (provenance !== undefined && (provenance.dimension !== accumulator.dimension || provenance.count !== accumulator.count)) {
    throw notGram(file, `header says ${provenance.dimension} x ${provenance.dimension} of ${provenance.count} samples, the matrix is ${accumulator.dimension} x ${accumulator.dimension} of ${accumulator.count}`);
  }
  return { accumulator, provenance };
}

function describeSource(source: GramProvenance['source']): string {
  return source.kind === 'model' ? `layer '${source.layer}' of ${source.file} (sha256 ${source.sha256.slice(0, 12)})` : `weights '${source.tensor}' of ${source.file} (sha256 ${source.sha256.slice(0, 12)})`;
}

/**
 * Sums shards of one Gram matrix, refusing any that does not belong: another model, layer or
 * weights, another bias choice or data file, or rows that overlap (a shard given twice).
 */
export function mergeGramFiles(files: ReadonlyArray<{ readonly file: string } & GramFile>): { accumulator: GramAccumulator; provenance: GramProvenance } {
  const [first, ...rest] = files;
  if (first === undefined) throw new InputError('merge-gram: no files', {});
  const base = first.provenance;
  if (base === undefined) {
    throw new InputError(`${first.file}: written by descramble 0.1 without provenance (model, layer, bias, rows); recompute it with 'descramble gram' to merge it safely`, { file: first.file });
  }
  const accumulator = GramAccumulator.fromBytes(first.accumulator.toBytes());
  const ranges: RowRange[] = [...base.ranges];
  for (const next of rest) {
    const p = next.provenance;
    const mismatch = (what: string, theirs: string, ours: string) =>
      new InputError(`${next.file}: ${what} ${theirs}, but ${first.file} has ${ours}: shards must come from the same layer, data and bias`, { file: next.file });
    if (p === undefined) {
      throw new InputError(`${next.file}: written by descramble 0.1 without provenance (model, layer, bias, rows); recompute it with 'descramble gram' to merge it safely`, { file: next.file });
    }
    if (JSON.stringify(p.source) !== JSON.stringify(base.source)) throw mismatch('is of', describeSource(p.source), describeSource(base.source));
    if (p.bias !== base.bias) throw mismatch('has bias', p.bias, base.bias);
    if (JSON.stringify(p.data) !== JSON.stringify(base.data)) {
      throw mismatch('is of data', `${p.data.file} (${p.data.rows} rows, ${p.data.bytes} bytes)`, `${base.data.file} (${base.data.rows} rows, ${base.data.bytes} bytes)`);
    }
    if (p.dimension !== base.dimension) throw mismatch('is', `${p.dimension} x ${p.dimension}`, `${base.dimension} x ${base.dimension}`);
    for (const range of p.ranges) {
      const overlap = ranges.find((r) => range.start < r.end && r.start < range.end);
      if (overlap !== undefined) {
        throw new InputError(
          `${next.file}: rows ${range.start}..${range.end} overlap rows ${overlap.start}..${overlap.end} already merged (a shard given twice?); each row may be counted once`,
          { file: next.file },
        );
      }
      ranges.push(range);
    }
    accumulator.merge(next.accumulator);
  }
  ranges.sort((x, y) => x.start - y.start);
  const joined: RowRange[] = [];
  for (const range of ranges) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.end === range.start) joined[joined.length - 1] = { start: last.start, end: range.end };
    else joined.push(range);
  }
  return { accumulator, provenance: { ...base, ranges: joined, count: accumulator.count } };
}
