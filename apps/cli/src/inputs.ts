import type { BiasMode } from '@descramble/nets';
import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { GramAccumulator } from '@descramble/linalg';
import { FileChangedError, IoError, MemoryBudgetError, openNpyStream, readTensors, type Tensor, toMatrix } from '@descramble/io/node';
import type { Matrix } from 'ml-matrix';
import { InputError, UsageError } from './cli-errors.js';
import { formatSize } from './options.js';
import { readGramFile } from './gram-file.js';
import { onnxLayerWeights } from './graph-models.js';

/** `FILE[:TENSOR]` as given on the command line. */
export interface FileSpec {
  readonly file: string;
  readonly tensor: string | undefined;
  /** The text the user wrote, for messages. */
  readonly text: string;
}

/**
 * Splits `FILE[:TENSOR]`. A path that exists as written wins (file names may contain ':'),
 * otherwise the text after the last ':' names the tensor.
 */
export function parseFileSpec(text: string, flag: string): FileSpec {
  if (text.length === 0) throw new UsageError(`${flag} needs a file`);
  if (existsSync(text)) return { file: text, tensor: undefined, text };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && colon < text.length - 1) {
    return { file: text.slice(0, colon), tensor: text.slice(colon + 1), text };
  }
  return { file: text, tensor: undefined, text };
}

export function requireFile(file: string): void {
  if (!existsSync(file)) throw new InputError(`${file}: no such file`, { file });
  if (!statSync(file).isFile()) throw new InputError(`${file}: not a regular file`, { file });
}

/** Reads every tensor of a model or array file; format errors become one clear sentence. */
export async function loadTensors(file: string): Promise<Map<string, Tensor>> {
  requireFile(file);
  try {
    return await readTensors({ path: file });
  } catch (error) {
    throw asInputError(error, file);
  }
}

export function asInputError(error: unknown, file: string, tensor?: string): unknown {
  if (FileChangedError.isInstance(error)) {
    return new InputError(`${file}: changed while descramble was reading it (${error.change}); nothing was written. Run again on a file that stays put`, { file });
  }
  if (MemoryBudgetError.isInstance(error)) {
    return new InputError(
      `${file}: reading ${error.what} needs ${formatSize(error.needed)} of memory, beyond the memory budget of ${formatSize(error.budget)}; nothing was read. If you trust the file, raise the budget with --memory-budget`,
      tensor === undefined ? { file } : { file, tensor },
    );
  }
  if (IoError.isInstance(error)) {
    // io's messages read `io: <format>: <file>: <field>: <what>`; its summary, `<file>: <field>: <what>`,
    // puts the file first, which reads better here.
    return new InputError(error.summary, tensor === undefined ? { file } : { file, tensor });
  }
  return error;
}

function shapeText(tensor: Tensor): string {
  return tensor.shape.length === 0 ? 'scalar' : tensor.shape.join(' x ');
}

/**
 * The 2-D tensor a spec names, or the only 2-D tensor of the file when no name is given.
 * Errors list what the file holds, so a wrong name is easy to fix.
 */
export function selectMatrix(tensors: Map<string, Tensor>, spec: FileSpec, role: string): Matrix {
  const listing = [...tensors].map(([name, t]) => `${name} (${shapeText(t)})`).join(', ') || 'no tensors';
  let name = spec.tensor;
  if (name === undefined) {
    const matrices = [...tensors].filter(([, t]) => t.shape.length === 2);
    if (matrices.length !== 1) {
      throw new InputError(
        `${spec.file}: holds ${matrices.length} two-dimensional tensors; name the ${role} as ${spec.file}:TENSOR (it has ${listing})`,
        { file: spec.file },
      );
    }
    name = (matrices[0] as [string, Tensor])[0];
  }
  const tensor = tensors.get(name);
  if (tensor === undefined) {
    throw new InputError(`${spec.file}: no tensor named '${name}' (it has ${listing})`, {
      file: spec.file,
      tensor: name,
    });
  }
  if (tensor.shape.length !== 2) {
    throw new InputError(`${spec.file}: tensor '${name}' is ${shapeText(tensor)}, but the ${role} must be a matrix`, {
      file: spec.file,
      tensor: name,
    });
  }
  const matrix = toMatrix(tensor);
  assertFinite(matrix, spec.file, name);
  return matrix;
}

export async function loadMatrix(spec: FileSpec, role: string): Promise<{ matrix: Matrix; tensor: string }> {
  if (role === 'weights' && spec.tensor !== undefined && extname(spec.file).toLowerCase() === '.onnx') {
    // a layer of the graph (by module path or weight name): units x fan-in, orientation from the graph
    const layer = await onnxLayerWeights(spec.file, spec.tensor);
    if (layer !== undefined) return layer;
  }
  const tensors = await loadTensors(spec.file);
  const matrix = selectMatrix(tensors, spec, role);
  return { matrix, tensor: spec.tensor ?? [...tensors].find(([, t]) => t.shape.length === 2)?.[0] ?? '' };
}

function assertFinite(matrix: Matrix, file: string, tensor: string): void {
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.columns; j++) {
      const value = matrix.get(i, j);
      if (!Number.isFinite(value)) {
        throw new InputError(`${file}: tensor '${tensor}' has a non-finite value (${value}) at [${i}, ${j}]`, {
          file,
          tensor,
        });
      }
    }
  }
}

/** A block of samples in PyTorch layout (one sample per row, each sample flattened). */
export interface SampleBlock {
  readonly rows: number;
  readonly data: Float64Array;
}

/** Rows `start .. end` (end exclusive) of the samples. */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Data rows: a whole tensor, or a `.npy` walked in blocks without loading it. Samples may be
 * vectors (`N x in`) or tensors (`N x C x L`, ...): `sampleShape` is the shape of one sample
 * and `columns` its size.
 */
export interface SampleSource {
  readonly file: string;
  readonly tensor: string;
  readonly rows: number;
  readonly columns: number;
  readonly sampleShape: readonly number[];
  /** Blocks of at most `rowsPerBlock` rows, restricted to `range` when given. */
  blocks(rowsPerBlock: number, range?: RowRange): AsyncIterable<SampleBlock>;
  /** Where the rows live, so that a worker thread can read its own range of them. */
  readonly origin: SampleOrigin;
}

/** A streamed `.npy` file (each reader opens it itself), or rows held in memory (row-major). */
export type SampleOrigin =
  | { readonly kind: 'npy'; readonly tensorSamples: boolean }
  | { readonly kind: 'memory'; readonly data: Float64Array };

function nonFinite(file: string, tensor: string, data: Float64Array, columns: number, firstRow: number): void {
  for (let k = 0; k < data.length; k++) {
    const value = data[k] as number;
    if (!Number.isFinite(value)) {
      const row = firstRow + Math.floor(k / columns);
      throw new InputError(`${file}: data '${tensor}' has a non-finite value (${value}) at row ${row}, column ${k % columns}`, {
        file,
        tensor,
      });
    }
  }
}

/**
 * Opens data for a layer (`minRank` 2: samples are vectors) or a model (samples may be
 * tensors). A `.npy` without a tensor name is streamed; other files are read whole.
 */
export async function openSampleSource(spec: FileSpec, options: { tensorSamples?: boolean } = {}): Promise<SampleSource> {
  requireFile(spec.file);
  const tensorSamples = options.tensorSamples === true;
  if (extname(spec.file).toLowerCase() === '.npy' && spec.tensor === undefined) {
    return openStreamingNpy(spec.file, tensorSamples);
  }
  const tensors = await loadTensors(spec.file);
  let name = spec.tensor;
  if (name === undefined) {
    const candidates = [...tensors].filter(([, t]) => (tensorSamples ? t.shape.length >= 2 : t.shape.length === 2));
    if (candidates.length !== 1) {
      const listing = [...tensors].map(([n, t]) => `${n} (${shapeText(t)})`).join(', ') || 'no tensors';
      throw new InputError(`${spec.file}: holds ${candidates.length} candidate data tensors; name one as ${spec.file}:TENSOR (it has ${listing})`, {
        file: spec.file,
      });
    }
    name = (candidates[0] as [string, Tensor])[0];
  }
  if (!tensorSamples) {
    const matrix = selectMatrix(tensors, { ...spec, tensor: name }, 'data');
    return wholeSource(spec.file, name, [matrix.columns], matrix.rows, Float64Array.from(matrix.to1DArray()));
  }
  const tensor = tensors.get(name);
  if (tensor === undefined) {
    const listing = [...tensors].map(([n, t]) => `${n} (${shapeText(t)})`).join(', ') || 'no tensors';
    throw new InputError(`${spec.file}: no tensor named '${name}' (it has ${listing})`, { file: spec.file, tensor: name });
  }
  if (tensor.shape.length < 2 || typeof tensor.data[0] === 'bigint') {
    throw new InputError(`${spec.file}: data '${name}' must be samples x features (rank >= 2, floating point), got ${shapeText(tensor)} ${tensor.dtype}`, {
      file: spec.file,
      tensor: name,
    });
  }
  const data = Float64Array.from(tensor.data as ArrayLike<number>);
  return wholeSource(spec.file, name, tensor.shape.slice(1), tensor.shape[0] as number, data);
}

/** Samples held in memory (row-major, one sample per row). */
export function wholeSource(file: string, tensor: string, sampleShape: readonly number[], rows: number, flat: Float64Array): SampleSource {
  const columns = sampleShape.reduce((a, b) => a * b, 1);
  nonFinite(file, tensor, flat, columns, 0);
  return rangeSource(file, tensor, sampleShape, rows, 0, flat);
}

/**
 * Rows `firstRow .. firstRow + flat.length / columns` of a source, held in memory and already
 * checked: row numbers (ranges, messages) stay those of the whole source of `rows` rows.
 */
export function rangeSource(file: string, tensor: string, sampleShape: readonly number[], rows: number, firstRow: number, flat: Float64Array): SampleSource {
  const columns = sampleShape.reduce((a, b) => a * b, 1);
  const lastRow = firstRow + flat.length / columns;
  return {
    file,
    tensor,
    rows,
    columns,
    sampleShape,
    origin: { kind: 'memory', data: flat },
    async *blocks(rowsPerBlock, range = { start: 0, end: rows }) {
      const end = Math.min(range.end, lastRow);
      for (let start = Math.max(range.start, firstRow); start < end; start += rowsPerBlock) {
        const count = Math.min(rowsPerBlock, end - start);
        yield { rows: count, data: flat.subarray((start - firstRow) * columns, (start - firstRow + count) * columns) };
      }
    },
  };
}

export async function openStreamingNpy(file: string, tensorSamples: boolean): Promise<SampleSource> {
  let stream: Awaited<ReturnType<typeof openNpyStream>>;
  try {
    stream = await openNpyStream(file);
  } catch (error) {
    throw asInputError(error, file);
  }
  const { rows, rowLength } = stream;
  const shape = stream.header.shape;
  await stream.close();
  const tensor = basename(file, extname(file));
  if (tensorSamples ? shape.length < 2 : shape.length !== 2) {
    throw new InputError(
      `${file}: data must be ${tensorSamples ? 'samples x features (rank >= 2)' : 'a matrix (samples x features)'}, got shape [${shape.join(', ')}]`,
      { file, tensor },
    );
  }
  return {
    file,
    tensor,
    rows,
    columns: rowLength,
    sampleShape: shape.slice(1),
    origin: { kind: 'npy', tensorSamples },
    async *blocks(rowsPerBlock, range = { start: 0, end: rows }) {
      let reader: Awaited<ReturnType<typeof openNpyStream>> | undefined;
      try {
        reader = await openNpyStream(file, { rowsPerBlock });
        // Only the rows of the range are read: a worker of --threads starts at its own rows.
        for await (const block of reader.blocks(rowsPerBlock, range)) {
          nonFinite(file, tensor, block.data, rowLength, block.startRow);
          yield { rows: block.rows, data: block.data };
        }
      } catch (error) {
        throw asInputError(error, file);
      } finally {
        await reader?.close();
      }
    },
  };
}

/**
 * A Gram matrix: a `.gram` file of `descramble gram`, or a plain matrix file; with the bias
 * choice it was accumulated with ('unknown' where the file does not record it).
 */
export async function loadGram(spec: FileSpec): Promise<{ gram: GramAccumulator | Matrix; count: number | null; recordedBias: BiasMode | 'unknown' }> {
  requireFile(spec.file);
  if (extname(spec.file).toLowerCase() === '.gram') {
    const { accumulator, provenance } = await readGramFile(spec.file);
    return { gram: accumulator, count: accumulator.count, recordedBias: provenance?.bias ?? 'unknown' };
  }
  const { matrix } = await loadMatrix(spec, 'Gram matrix');
  if (matrix.rows !== matrix.columns) {
    throw new InputError(`${spec.file}: a Gram matrix must be square, got ${matrix.rows} x ${matrix.columns}`, {
      file: spec.file,
    });
  }
  return { gram: matrix, count: null, recordedBias: 'unknown' };
}
