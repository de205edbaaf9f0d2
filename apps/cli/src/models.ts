import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { IoError, readOnnxFile } from '@descramble/io/node';
import {
  type ArchitectureSpec,
  isLinearLayer,
  type LinearLayer,
  modelFromOnnx,
  modelFromTensors,
  NetsError,
  parseArchitectureSpec,
  readSafetensorsModel,
  type SequentialModel,
  shapeSize,
  UnsupportedOperatorError,
} from '@descramble/nets';
import { InputError } from './cli-errors.js';
import { asInputError, loadTensors, parseFileSpec, requireFile, type SampleSource } from './inputs.js';

/** A model read from disk, with where it came from. */
export interface LoadedModel {
  readonly file: string;
  readonly model: SequentialModel;
}

async function readArchitecture(file: string): Promise<ArchitectureSpec> {
  requireFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`, { file });
  }
  try {
    return parseArchitectureSpec(parsed);
  } catch (error) {
    throw new InputError(`${file}: not an architecture spec (${(error as Error).message})`, { file });
  }
}

/**
 * Reads a model: ONNX (torch.onnx.export), safetensors with the architecture in its metadata,
 * or any weights file (safetensors, npz, .h5, .mat) with `--architecture spec.json`.
 */
export async function loadModel(file: string, architecture?: string): Promise<LoadedModel> {
  requireFile(file);
  const spec = architecture === undefined ? undefined : await readArchitecture(architecture);
  const kind = extname(file).toLowerCase();
  try {
    if (kind === '.onnx' && spec === undefined) {
      return { file, model: modelFromOnnx(await readOnnxFile(file)) };
    }
    if (kind === '.safetensors' && spec === undefined) {
      const bytes = await readFile(file);
      return { file, model: readSafetensorsModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), undefined, file) };
    }
    if (spec === undefined) {
      const pytorch = kind === '.pt' || kind === '.pth';
      throw new InputError(
        pytorch
          ? `${file}: a PyTorch checkpoint holds weights only, not how the layers connect; export the model with torch.onnx.export(model, example, "model.onnx") to descramble any architecture, or pass --architecture spec.json`
          : `${file}: weights alone do not say how the layers connect; pass --architecture spec.json (or give an .onnx model)`,
        { file },
      );
    }
    const tensors = await loadTensors(file);
    return { file, model: modelFromTensors(tensors as Parameters<typeof modelFromTensors>[0], spec) };
  } catch (error) {
    if (UnsupportedOperatorError.isInstance(error) && kind === '.onnx') {
      // the sequential engine (safetensors models, --threads shards) reads chains of five layer kinds only
      throw new InputError(
        `${file}: ${error.summary}; here only chains of dense and convolution layers are read (gram --model, permute --signed): explain, permute and match take any ONNX graph`,
        { file },
      );
    }
    if (NetsError.isInstance(error)) throw new InputError(`${file}: ${error.operation}: ${error.summary}`, { file });
    if (IoError.isInstance(error)) throw asInputError(error, file);
    throw error;
  }
}

/** A hidden linear layer: dense or convolution, followed by another linear layer. */
export interface HiddenLayer {
  readonly index: number;
  readonly layer: LinearLayer;
}

/** Dense and convolution layers whose outputs feed another linear layer (all but the last). */
export function hiddenLayers(model: SequentialModel): HiddenLayer[] {
  const linear = model.layers.flatMap((layer, index) => (isLinearLayer(layer) ? [{ index, layer }] : []));
  return linear.slice(0, -1);
}

/** Checks that data samples have the model's input shape. */
export function checkModelData(loaded: LoadedModel, samples: SampleSource): void {
  const expected = shapeSize(loaded.model.inputShape);
  if (samples.columns !== expected) {
    throw new InputError(
      `${samples.file}: data '${samples.tensor}' has samples of shape [${samples.sampleShape.join(', ')}] (${samples.columns} values), but model ${loaded.file} takes inputs of shape [${loaded.model.inputShape.join(', ')}] (${expected} values)`,
      { file: samples.file, tensor: samples.tensor },
    );
  }
}

export { parseFileSpec };
