/**
 * Typed errors of `@descramble/io`. Every reader failure names the file, the format and the
 * offending field, in one message pattern: `io: <format>: <file>: <field>: <what was wrong>`.
 */

/** The file formats this package reads or writes. */
export type FileFormat = 'safetensors' | 'npy' | 'npz' | 'onnx' | 'hdf5' | 'mat' | 'unknown';

/** Base class of every error thrown by this package. */
export class IoError extends Error {
  override readonly name: string = 'IoError';
  /** The file name given by the caller (or `"<bytes>"` when none was given). */
  readonly file: string;
  /** The format being read or written. */
  readonly format: FileFormat;
  /** The offending field, e.g. `"header length"`, `"fc1.weight.data_offsets"`, `"descr"`. */
  readonly field: string;

  constructor(format: FileFormat, file: string, field: string, detail: string) {
    super(`io: ${format}: ${file}: ${field}: ${detail}`);
    this.format = format;
    this.file = file;
    this.field = field;
  }
}

/** The file ends before a structure it announces (header, tensor data, zip member). */
export class TruncatedFileError extends IoError {
  override readonly name = 'TruncatedFileError';
  /** Bytes the structure needs (counted from the start of the file). */
  readonly expectedBytes: number;
  /** Bytes that are actually there. */
  readonly actualBytes: number;

  constructor(format: FileFormat, file: string, field: string, expectedBytes: number, actualBytes: number) {
    super(format, file, field, `file truncated: needs ${expectedBytes} bytes, has ${actualBytes}`);
    this.expectedBytes = expectedBytes;
    this.actualBytes = actualBytes;
  }
}

/** A header, descriptor or structure is not what the format's rules allow. */
export class MalformedHeaderError extends IoError {
  override readonly name = 'MalformedHeaderError';
  /** What rule was broken. */
  readonly reason: string;

  constructor(format: FileFormat, file: string, field: string, reason: string) {
    super(format, file, field, reason);
    this.reason = reason;
  }
}

/** A declared size exceeds a limit of the format or of this reader. */
export class OversizedError extends IoError {
  override readonly name = 'OversizedError';
  /** The limit, in the unit of `actual`. */
  readonly limit: number;
  /** The size that the file declared. */
  readonly actual: number;

  constructor(format: FileFormat, file: string, field: string, limit: number, actual: number) {
    super(format, file, field, `size ${actual} exceeds the limit ${limit}`);
    this.limit = limit;
    this.actual = actual;
  }
}

/** A dtype (or element type, or MATLAB class) that this package does not read or write. */
export class UnsupportedDtypeError extends IoError {
  override readonly name = 'UnsupportedDtypeError';
  /** The dtype as the file spells it, e.g. `"|O"`, `"F8_E4M3"`, `"mxCELL_CLASS"`. */
  readonly dtype: string;

  constructor(format: FileFormat, file: string, field: string, dtype: string) {
    super(format, file, field, `unsupported dtype ${dtype}`);
    this.dtype = dtype;
  }
}

/** A feature of the format that this package does not support (e.g. sparse MATLAB arrays). */
export class UnsupportedFeatureError extends IoError {
  override readonly name = 'UnsupportedFeatureError';
  /** The feature, e.g. `"complex array"`, `"Fortran order when streaming"`. */
  readonly feature: string;

  constructor(format: FileFormat, file: string, field: string, feature: string) {
    super(format, file, field, `unsupported: ${feature}`);
    this.feature = feature;
  }
}

/** `readTensors` could not tell the format from the magic bytes or the extension. */
export class UnknownFormatError extends IoError {
  override readonly name = 'UnknownFormatError';

  constructor(file: string) {
    super('unknown', file, 'magic bytes', 'not a safetensors, npy, npz, ONNX, HDF5 or MATLAB file');
  }
}

/** An ONNX tensor's external data is missing, escapes the model folder, or is out of range. */
export class ExternalDataError extends IoError {
  override readonly name = 'ExternalDataError';
  /** The `location` entry of the tensor's external data. */
  readonly location: string;

  constructor(file: string, field: string, location: string, detail: string) {
    super('onnx', file, field, `external data ${JSON.stringify(location)}: ${detail}`);
    this.location = location;
  }
}

/** A writer was given a tensor it cannot encode (shape/data mismatch, value out of range). */
export class InvalidTensorError extends IoError {
  override readonly name = 'InvalidTensorError';

  constructor(format: FileFormat, file: string, field: string, detail: string) {
    super(format, file, field, detail);
  }
}

/** `writeOnnx` was given a model description it cannot encode (unknown name, bad attribute). */
export class InvalidModelError extends IoError {
  override readonly name = 'InvalidModelError';

  constructor(field: string, detail: string) {
    super('onnx', '<model>', field, detail);
  }
}

/** `@descramble/io/node` could not open or read a file (missing, a directory, no permission). */
export class FileAccessError extends IoError {
  override readonly name = 'FileAccessError';
  /** Node's error code, e.g. `"ENOENT"`, `"EISDIR"`. */
  readonly code: string;

  constructor(format: FileFormat, file: string, code: string) {
    super(format, file, 'file', `cannot be read (${code})`);
    this.code = code;
  }
}

/**
 * Reading a file would hold more memory than its memory budget allows (see `memoryBudget` in
 * the readers' options). Raised before the allocation, so a hostile file that declares
 * gigabytes (a zip bomb, a huge fill-value dataset) fails fast instead of exhausting memory.
 */
export class MemoryBudgetError extends IoError {
  override readonly name = 'MemoryBudgetError';
  /** What needed the memory, e.g. `"fc1.weight.npy inflated"`, `"dense/kernel:0 as float64"`. */
  readonly what: string;
  /** Bytes this read would hold at once with the refused allocation (counted across the whole file). */
  readonly needed: number;
  /** The budget, in bytes. */
  readonly budget: number;

  constructor(format: FileFormat, file: string, what: string, needed: number, budget: number) {
    super(format, file, what, `needs ${needed} bytes of memory, beyond the memory budget of ${budget} bytes (raise it with the memoryBudget option if the file is trusted)`);
    this.what = what;
    this.needed = needed;
    this.budget = budget;
  }
}

/** A JSON header repeats a key (`JSON.parse` would silently keep the last one). */
export class DuplicateKeyError extends IoError {
  override readonly name = 'DuplicateKeyError';
  /** The repeated key. */
  readonly key: string;

  constructor(format: FileFormat, file: string, field: string, key: string) {
    super(format, file, field, `duplicate key ${JSON.stringify(key)}`);
    this.key = key;
  }
}

/** A file changed (replaced, truncated, appended, rewritten) while it was being read. */
export class FileChangedError extends IoError {
  override readonly name = 'FileChangedError';
  /** What differs from the identity recorded when reading began, e.g. `"size 800 -> 400"`. */
  readonly change: string;

  constructor(format: FileFormat, file: string, change: string) {
    super(format, file, 'file', `changed while being read (${change})`);
    this.change = change;
  }
}
