/** Shared by the readers: where we are (format, file) and builders for typed errors. */
import {
  type FileFormat,
  IoError,
  MalformedHeaderError,
  OversizedError,
  TruncatedFileError,
  UnsupportedDtypeError,
  UnsupportedFeatureError,
} from './errors.js';

/** Bytes as readers accept them. Views are honoured: nothing outside the view is read. */
export type BytesInput = Uint8Array | ArrayBuffer;

/** A `Uint8Array` over the input (no copy). */
export function asBytes(input: BytesInput): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

/** The name used in error messages when the caller gave none. */
export const UNNAMED = '<bytes>';

/** Format and file of the reader in progress, with builders for its typed errors. */
export class ReadContext {
  constructor(
    readonly format: FileFormat,
    readonly file: string = UNNAMED,
  ) {}

  truncated(field: string, expectedBytes: number, actualBytes: number): TruncatedFileError {
    return new TruncatedFileError({ format: this.format, file: this.file, field, expectedBytes, actualBytes });
  }

  malformed(field: string, reason: string): MalformedHeaderError {
    return new MalformedHeaderError({ format: this.format, file: this.file, field, reason });
  }

  oversized(field: string, limit: number, actual: number): OversizedError {
    return new OversizedError({ format: this.format, file: this.file, field, limit, actual });
  }

  dtype(field: string, dtype: string): UnsupportedDtypeError {
    return new UnsupportedDtypeError({ format: this.format, file: this.file, field, dtype });
  }

  unsupported(field: string, feature: string): UnsupportedFeatureError {
    return new UnsupportedFeatureError({ format: this.format, file: this.file, field, feature });
  }

  /** Throws a TruncatedFileError unless `end <= length`. */
  need(field: string, end: number, length: number): void {
    if (end > length) throw this.truncated(field, end, length);
  }

  /** Re-throws IoErrors; wraps anything else (a decoder's RangeError, say) as malformed. */
  wrap(field: string, error: unknown): IoError {
    if (IoError.isInstance(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return this.malformed(field, message);
  }
}

/** A strict UTF-8 decoder (invalid sequences throw). */
export const utf8Strict = new TextDecoder('utf-8', { fatal: true });
/** Latin-1 decoding, for ASCII headers (every byte maps to one character). */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(i + 8192, bytes.length)));
  }
  return text;
}
