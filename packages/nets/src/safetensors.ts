import { readSafetensors, writeSafetensors } from '@descramble/io';
import { type ArchitectureSpec, modelFromTensors, modelToSpec, modelToTensors, parseArchitectureSpec } from './architecture.js';
import { InvalidArgumentError, netsScope } from './errors.js';
import type { SequentialModel } from './layers.js';

/** `__metadata__` key under which `writeSafetensorsModel` stores the architecture (JSON). */
export const ARCHITECTURE_METADATA_KEY = 'descramble.architecture';

/**
 * Encodes a model's parameters as safetensors (via io's `writeSafetensors`), named the PyTorch
 * way (`fc1.weight`, `bn.running_mean`, ...), float32 when the model came in float32 and the
 * values are still exactly float32, else float64. The architecture (`modelToSpec`) is stored as
 * JSON in the metadata (`descramble.architecture`), next to `format: pt`, so the file loads
 * back without a separate spec.
 */
export function writeSafetensorsModel(model: SequentialModel): Uint8Array {
  return writeSafetensors(modelToTensors(model), { format: 'pt', [ARCHITECTURE_METADATA_KEY]: JSON.stringify(modelToSpec(model)) });
}

/**
 * Reads a model from safetensors bytes and an architecture: the one given, else the one stored
 * in the file's metadata by `writeSafetensorsModel`.
 *
 * @throws InvalidArgumentError when neither is available, plus io's and `modelFromTensors`' errors.
 */
export function readSafetensorsModel(bytes: Uint8Array | ArrayBuffer, spec?: ArchitectureSpec, name?: string): SequentialModel {
  const file = readSafetensors(bytes, name);
  let architecture = spec;
  if (architecture === undefined) {
    const stored = file.metadata[ARCHITECTURE_METADATA_KEY];
    if (stored === undefined) {
      throw new InvalidArgumentError({ operation: 'readSafetensorsModel', argument: 'spec', what: `the file has no ${ARCHITECTURE_METADATA_KEY} metadata; pass an architecture spec`, ...netsScope });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(stored);
    } catch {
      throw new InvalidArgumentError({ operation: 'readSafetensorsModel', argument: ARCHITECTURE_METADATA_KEY, what: 'metadata is not valid JSON', ...netsScope });
    }
    architecture = parseArchitectureSpec(parsed);
  }
  return modelFromTensors(file.tensors, architecture);
}
