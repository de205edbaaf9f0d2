/**
 * Typed errors of `@descramble/io`. Every reader failure names the file, the format and the
 * offending field, in one message pattern: `io: <format>: <file>: <field>: <what was wrong>`,
 * the `<scope>: <operation>: <reason>` of `@descramble/core`'s errors with scope `io` and the
 * format as the operation. The base is core's `DescrambleError` (this package must not depend on
 * the linear algebra), so `DescrambleError.isInstance` holds for io's errors as for every other.
 */

import { DescrambleError, type ErrorDetail, hasErrorMarker, markErrorClass } from '@descramble/core';

/** The file formats this package reads or writes. */
export type FileFormat = 'safetensors' | 'npy' | 'npz' | 'onnx' | 'hdf5' | 'mat' | 'pytorch' | 'unknown';

/**
 * Where an io error happened, and why: what every io error's constructor takes, with its own
 * facts (`new TruncatedFileError({ format, file, field, expectedBytes, actualBytes })`).
 */
export interface IoErrorContext {
  /** The format being read or written. */
  readonly format: FileFormat;
  /** The file name given by the caller (or `"<bytes>"` when none was given). */
  readonly file: string;
  /** The offending field, e.g. `"header length"`. */
  readonly field: string;
  /** The error that led to this one, if any. */
  readonly cause?: unknown;
}

/** What {@link IoError}'s constructor takes: where, and what was wrong (in words and as data). */
export interface IoErrorOptions extends IoErrorContext {
  /** What was wrong, the end of the message. */
  readonly reason: string;
  /** The reason as data (the file and field are added). */
  readonly detail?: ErrorDetail;
}

/** Base class of every error thrown by this package: `IoError.isInstance(e)` holds for each. */
export class IoError extends DescrambleError {
  override readonly name: string = 'IoError';
  /** The file name given by the caller (or `"<bytes>"` when none was given). */
  readonly file: string;
  /** The format being read or written. */
  readonly format: FileFormat;
  /** The offending field, e.g. `"header length"`, `"fc1.weight.data_offsets"`, `"descr"`. */
  readonly field: string;

  static {
    markErrorClass(IoError, 'IoError');
  }

  constructor(options: IoErrorOptions) {
    const { format, file, field, reason } = options;
    super({
      scope: 'io',
      operation: format,
      reason: `${file}: ${field}: ${reason}`,
      detail: { file, field, ...options.detail },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.format = format;
    this.file = file;
    this.field = field;
  }

  static override isInstance(value: unknown): value is IoError {
    return hasErrorMarker(value, 'IoError');
  }
}

/** The file ends before a structure it announces (header, tensor data, zip member). */
export class TruncatedFileError extends IoError {
  override readonly name = 'TruncatedFileError';
  override readonly kind = 'TruncatedFile' as const;

  static {
    markErrorClass(TruncatedFileError, 'TruncatedFileError');
  }
  /** Bytes the structure needs (counted from the start of the file). */
  readonly expectedBytes: number;
  /** Bytes that are actually there. */
  readonly actualBytes: number;

  constructor(options: IoErrorContext & { readonly expectedBytes: number; readonly actualBytes: number }) {
    const { expectedBytes, actualBytes } = options;
    super({ ...options, reason: `file truncated: needs ${expectedBytes} bytes, has ${actualBytes}`, detail: { expectedBytes, actualBytes } });
    this.expectedBytes = expectedBytes;
    this.actualBytes = actualBytes;
  }

  static override isInstance(value: unknown): value is TruncatedFileError {
    return hasErrorMarker(value, 'TruncatedFileError');
  }
}

/** A header, descriptor or structure is not what the format's rules allow. */
export class MalformedHeaderError extends IoError {
  override readonly name = 'MalformedHeaderError';
  override readonly kind = 'MalformedHeader' as const;

  static {
    markErrorClass(MalformedHeaderError, 'MalformedHeaderError');
  }
  /** What rule was broken. */
  readonly reason: string;

  constructor(options: IoErrorContext & { readonly reason: string }) {
    const { reason } = options;
    super({ ...options, reason, detail: { reason } });
    this.reason = reason;
  }

  static override isInstance(value: unknown): value is MalformedHeaderError {
    return hasErrorMarker(value, 'MalformedHeaderError');
  }
}

/** A declared size exceeds a limit of the format or of this reader. */
export class OversizedError extends IoError {
  override readonly name = 'OversizedError';
  override readonly kind = 'Oversized' as const;

  static {
    markErrorClass(OversizedError, 'OversizedError');
  }
  /** The limit, in the unit of `actual`. */
  readonly limit: number;
  /** The size that the file declared. */
  readonly actual: number;

  constructor(options: IoErrorContext & { readonly limit: number; readonly actual: number }) {
    const { limit, actual } = options;
    super({ ...options, reason: `size ${actual} exceeds the limit ${limit}`, detail: { limit, actual } });
    this.limit = limit;
    this.actual = actual;
  }

  static override isInstance(value: unknown): value is OversizedError {
    return hasErrorMarker(value, 'OversizedError');
  }
}

/** A dtype (or element type, or MATLAB class) that this package does not read or write. */
export class UnsupportedDtypeError extends IoError {
  override readonly name = 'UnsupportedDtypeError';
  override readonly kind = 'UnsupportedDtype' as const;

  static {
    markErrorClass(UnsupportedDtypeError, 'UnsupportedDtypeError');
  }
  /** The dtype as the file spells it, e.g. `"|O"`, `"F8_E4M3"`, `"mxCELL_CLASS"`. */
  readonly dtype: string;

  constructor(options: IoErrorContext & { readonly dtype: string }) {
    const { dtype } = options;
    super({ ...options, reason: `unsupported dtype ${dtype}`, detail: { dtype } });
    this.dtype = dtype;
  }

  static override isInstance(value: unknown): value is UnsupportedDtypeError {
    return hasErrorMarker(value, 'UnsupportedDtypeError');
  }
}

/** A feature of the format that this package does not support (e.g. sparse MATLAB arrays). */
export class UnsupportedFeatureError extends IoError {
  override readonly name = 'UnsupportedFeatureError';
  override readonly kind = 'UnsupportedFeature' as const;

  static {
    markErrorClass(UnsupportedFeatureError, 'UnsupportedFeatureError');
  }
  /** The feature, e.g. `"complex array"`, `"Fortran order when streaming"`. */
  readonly feature: string;

  constructor(options: IoErrorContext & { readonly feature: string }) {
    const { feature } = options;
    super({ ...options, reason: `unsupported: ${feature}`, detail: { feature } });
    this.feature = feature;
  }

  static override isInstance(value: unknown): value is UnsupportedFeatureError {
    return hasErrorMarker(value, 'UnsupportedFeatureError');
  }
}

/** `readTensors` could not tell the format from the magic bytes or the extension. */
export class UnknownFormatError extends IoError {
  override readonly name = 'UnknownFormatError';
  override readonly kind = 'UnknownFormat' as const;

  static {
    markErrorClass(UnknownFormatError, 'UnknownFormatError');
  }

  /** The format is `'unknown'` and the field `"magic bytes"`. */
  constructor(options: Omit<IoErrorContext, 'format' | 'field'>) {
    super({ ...options, format: 'unknown', field: 'magic bytes', reason: 'not a safetensors, npy, npz, ONNX, HDF5 or MATLAB file, nor a PyTorch checkpoint' });
  }

  static override isInstance(value: unknown): value is UnknownFormatError {
    return hasErrorMarker(value, 'UnknownFormatError');
  }
}

/** An ONNX tensor's external data is missing, escapes the model folder, or is out of range. */
export class ExternalDataError extends IoError {
  override readonly name = 'ExternalDataError';
  override readonly kind = 'ExternalData' as const;

  static {
    markErrorClass(ExternalDataError, 'ExternalDataError');
  }
  /** The `location` entry of the tensor's external data. */
  readonly location: string;

  /** The format is `'onnx'`; `reason` says what is wrong with the external data. */
  constructor(options: Omit<IoErrorContext, 'format'> & { readonly location: string; readonly reason: string }) {
    const { location, reason } = options;
    super({ ...options, format: 'onnx', reason: `external data ${JSON.stringify(location)}: ${reason}`, detail: { location, reason } });
    this.location = location;
  }

  static override isInstance(value: unknown): value is ExternalDataError {
    return hasErrorMarker(value, 'ExternalDataError');
  }
}

/** A writer was given a tensor it cannot encode (shape/data mismatch, value out of range). */
export class InvalidTensorError extends IoError {
  override readonly name = 'InvalidTensorError';
  override readonly kind = 'InvalidTensor' as const;

  static {
    markErrorClass(InvalidTensorError, 'InvalidTensorError');
  }

  constructor(options: IoErrorContext & { readonly reason: string }) {
    super({ ...options, detail: { reason: options.reason } });
  }

  static override isInstance(value: unknown): value is InvalidTensorError {
    return hasErrorMarker(value, 'InvalidTensorError');
  }
}

/** `writeOnnx` was given a model description it cannot encode (unknown name, bad attribute). */
export class InvalidModelError extends IoError {
  override readonly name = 'InvalidModelError';
  override readonly kind = 'InvalidModel' as const;

  static {
    markErrorClass(InvalidModelError, 'InvalidModelError');
  }

  /** The format is `'onnx'` and the file `"<model>"` (the description, not yet a file). */
  constructor(options: Omit<IoErrorContext, 'format' | 'file'> & { readonly reason: string }) {
    super({ ...options, format: 'onnx', file: '<model>', detail: { reason: options.reason } });
  }

  static override isInstance(value: unknown): value is InvalidModelError {
    return hasErrorMarker(value, 'InvalidModelError');
  }
}

/** `@descramble/io/node` could not open or read a file (missing, a directory, no permission). */
export class FileAccessError extends IoError {
  override readonly name = 'FileAccessError';
  override readonly kind = 'FileAccess' as const;

  static {
    markErrorClass(FileAccessError, 'FileAccessError');
  }
  /** Node's error code, e.g. `"ENOENT"`, `"EISDIR"`. */
  readonly code: string;

  /** The field is `"file"`. */
  constructor(options: Omit<IoErrorContext, 'field'> & { readonly code: string }) {
    const { code } = options;
    super({ ...options, field: 'file', reason: `cannot be read (${code})`, detail: { code } });
    this.code = code;
  }

  static override isInstance(value: unknown): value is FileAccessError {
    return hasErrorMarker(value, 'FileAccessError');
  }
}

/**
 * Reading a file would hold more memory than its memory budget allows (see `memoryBudget` in
 * the readers' options). Raised before the allocation, so a hostile file that declares
 * gigabytes (a zip bomb, a huge fill-value dataset) fails fast instead of exhausting memory.
 */
export class MemoryBudgetError extends IoError {
  override readonly name = 'MemoryBudgetError';
  override readonly kind = 'MemoryBudget' as const;

  static {
    markErrorClass(MemoryBudgetError, 'MemoryBudgetError');
  }
  /** What needed the memory, e.g. `"fc1.weight.npy inflated"`, `"dense/kernel:0 as float64"`. */
  readonly what: string;
  /** Bytes this read would hold at once with the refused allocation (counted across the whole file). */
  readonly needed: number;
  /** The budget, in bytes. */
  readonly budget: number;

  /** The field is `what`. */
  constructor(options: Omit<IoErrorContext, 'field'> & { readonly what: string; readonly needed: number; readonly budget: number }) {
    const { what, needed, budget } = options;
    super({ ...options, field: what, reason: `needs ${needed} bytes of memory, beyond the memory budget of ${budget} bytes (raise it with the memoryBudget option if the file is trusted)`, detail: { what, needed, budget } });
    this.what = what;
    this.needed = needed;
    this.budget = budget;
  }

  static override isInstance(value: unknown): value is MemoryBudgetError {
    return hasErrorMarker(value, 'MemoryBudgetError');
  }
}

/** A JSON header repeats a key (`JSON.parse` would silently keep the last one). */
export class DuplicateKeyError extends IoError {
  override readonly name = 'DuplicateKeyError';
  override readonly kind = 'DuplicateKey' as const;

  static {
    markErrorClass(DuplicateKeyError, 'DuplicateKeyError');
  }
  /** The repeated key. */
  readonly key: string;

  constructor(options: IoErrorContext & { readonly key: string }) {
    const { key } = options;
    super({ ...options, reason: `duplicate key ${JSON.stringify(key)}`, detail: { key } });
    this.key = key;
  }

  static override isInstance(value: unknown): value is DuplicateKeyError {
    return hasErrorMarker(value, 'DuplicateKeyError');
  }
}

/** A file changed (replaced, truncated, appended, rewritten) while it was being read. */
export class FileChangedError extends IoError {
  override readonly name = 'FileChangedError';
  override readonly kind = 'FileChanged' as const;

  static {
    markErrorClass(FileChangedError, 'FileChangedError');
  }
  /** What differs from the identity recorded when reading began, e.g. `"size 800 -> 400"`. */
  readonly change: string;

  /** The field is `"file"`. */
  constructor(options: Omit<IoErrorContext, 'field'> & { readonly change: string }) {
    const { change } = options;
    super({ ...options, field: 'file', reason: `changed while being read (${change})`, detail: { change } });
    this.change = change;
  }

  static override isInstance(value: unknown): value is FileChangedError {
    return hasErrorMarker(value, 'FileChangedError');
  }
}

/**
 * A reader was used wrongly: an option out of range (`memoryBudget`, a stream's `rowsPerBlock` or
 * row range) or a stream read after `close()`. `field` names the option (or `"stream"`).
 */
export class ReaderUsageError extends IoError {
  override readonly name = 'ReaderUsageError';
  override readonly kind = 'ReaderUsage' as const;

  static {
    markErrorClass(ReaderUsageError, 'ReaderUsageError');
  }

  constructor(options: IoErrorContext & { readonly reason: string }) {
    super({ ...options, detail: { reason: options.reason } });
  }

  static override isInstance(value: unknown): value is ReaderUsageError {
    return hasErrorMarker(value, 'ReaderUsageError');
  }
}

/** What {@link UnsafePickleError}'s constructor takes. */
export interface UnsafePickleErrorOptions {
  readonly file: string;
  /** Where in the pickle, e.g. `"archive/data.pkl at byte 120"`. */
  readonly field: string;
  /** What the pickle asked for, e.g. `"global posix.system"`. */
  readonly found: string;
  /** What that is, in words, e.g. `"a class or function other than the tensor rebuilders"`. */
  readonly why: string;
  /** The error that led to this one, if any. */
  readonly cause?: unknown;
}

/**
 * A PyTorch checkpoint's pickle asks for something the restricted unpickler refuses: a global
 * outside its whitelist (a model class from `torch.save(model)`, `os.system`, `builtins.eval`,
 * numpy objects), an extension code or an out-of-band buffer. Nothing was executed.
 */
export class UnsafePickleError extends IoError {
  override readonly name = 'UnsafePickleError';
  override readonly kind = 'UnsafePickle' as const;

  static {
    markErrorClass(UnsafePickleError, 'UnsafePickleError');
  }
  /** What the pickle asked for, e.g. `"global posix.system"`. */
  readonly found: string;

  constructor(options: UnsafePickleErrorOptions) {
    const { file, field, found, why } = options;
    super({
      format: 'pytorch',
      file,
      field,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      reason:
        `refused ${found} (${why}); nothing was executed: this reader loads only tensors, dicts, lists and numbers. ` +
        'Save the weights alone with torch.save(model.state_dict(), path), or export them to safetensors ' +
        '(safetensors.torch.save_file(model.state_dict(), path)) or ONNX (torch.onnx.export)',
      detail: { found },
    });
    this.found = found;
  }

  static override isInstance(value: unknown): value is UnsafePickleError {
    return hasErrorMarker(value, 'UnsafePickleError');
  }
}

/** Every failure `@descramble/io` reports, discriminated by `kind`. */
export type IoFailure =
  | TruncatedFileError
  | MalformedHeaderError
  | OversizedError
  | UnsupportedDtypeError
  | UnsupportedFeatureError
  | UnknownFormatError
  | ExternalDataError
  | InvalidTensorError
  | InvalidModelError
  | FileAccessError
  | MemoryBudgetError
  | DuplicateKeyError
  | FileChangedError
  | ReaderUsageError
  | UnsafePickleError
  | MissingDependencyError;

/** What {@link MissingDependencyError}'s constructor takes. */
export interface MissingDependencyErrorOptions {
  /** The format being read. */
  readonly format: FileFormat;
  /** The file name given by the caller (or `"<bytes>"` when none was given). */
  readonly file: string;
  /** The npm package that could not be loaded, e.g. `"h5wasm"`. */
  readonly dependency: string;
  /** What it is needed for, e.g. `"reading HDF5 files"`. */
  readonly purpose: string;
  /** The loader's error. */
  readonly cause?: unknown;
}

/** An optional peer dependency that a reader needs (h5wasm for HDF5) is not installed or does not load. */
export class MissingDependencyError extends IoError {
  override readonly name = 'MissingDependencyError';
  override readonly kind = 'MissingDependency' as const;

  static {
    markErrorClass(MissingDependencyError, 'MissingDependencyError');
  }
  /** The npm package that could not be loaded. */
  readonly dependency: string;

  constructor(options: MissingDependencyErrorOptions) {
    const { format, file, dependency, purpose } = options;
    super({
      format,
      file,
      field: dependency,
      reason: `${purpose} needs the optional peer dependency ${dependency}, which cannot be loaded; install it with \`npm install ${dependency}\``,
      detail: { dependency },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.dependency = dependency;
  }

  /** Also an {@link IoError}: `@descramble/figures` has a class of the same name (and marker). */
  static override isInstance(value: unknown): value is MissingDependencyError {
    return hasErrorMarker(value, 'MissingDependencyError') && IoError.isInstance(value);
  }
}
