import {
  type OnnxAttribute,
  type OnnxModel,
  type OnnxModelDescription,
  type OnnxNode,
  type OnnxNodeDescription,
  type ReadOnnxOptions,
  readOnnx,
  type Tensor as IoTensor,
  writeOnnx,
} from '@descramble/io';
import { modelToTensors } from './architecture.js';
import { InvalidArgumentError, MissingTensorError, netsScope, UnsupportedOperatorError } from './errors.js';
import {
  type ActivationName,
  activation,
  batchNorm,
  conv1d,
  conv2d,
  dense,
  flatten,
  type Layer,
  layerShapes,
  type SequentialModel,
  sequential,
} from './layers.js';
import { formatShape, shapeSize, type Tensor } from './tensor.js';

const ACTIVATION_OPS: Readonly<Record<string, ActivationName>> = {
  Relu: 'relu',
  Tanh: 'tanh',
  Sigmoid: 'logistic',
  Softplus: 'softplus',
  Identity: 'identity',
};

const OPS_OF_ACTIVATION: Readonly<Record<ActivationName, string>> = {
  relu: 'Relu',
  tanh: 'Tanh',
  logistic: 'Sigmoid',
  softplus: 'Softplus',
  identity: 'Identity',
};

/** Options of `modelFromOnnx`. */
export interface ModelFromOnnxOptions {
  /** Per-sample input shape, when the file's graph input has symbolic or unknown dimensions past the batch axis. */
  readonly inputShape?: readonly number[];
}

function attributeNumber(node: OnnxNode, name: string, fallback: number): number {
  const attribute = node.attributes[name];
  if (attribute === undefined) return fallback;
  if (attribute.type !== 'int' && attribute.type !== 'float') {
    throw new UnsupportedOperatorError({ operation: 'modelFromOnnx', operator: node.opType, node: node.name, reason: `attribute ${name} has type ${attribute.type}` });
  }
  return attribute.value;
}

function attributeInts(node: OnnxNode, name: string): readonly number[] | undefined {
  const attribute = node.attributes[name];
  if (attribute === undefined) return undefined;
  if (attribute.type !== 'ints') throw new UnsupportedOperatorError({ operation: 'modelFromOnnx', operator: node.opType, node: node.name, reason: `attribute ${name} has type ${attribute.type}` });
  return attribute.value;
}

/**
 * ONNX stores float attributes (BatchNormalization's epsilon) as float32, so PyTorch's 1e-5
 * arrives as 9.99999974e-6. We take the shortest decimal with at most 7 significant digits
 * that rounds to the same float32 (1e-5 again): the value the exporter was given.
 */
function decimalOfFloat32(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number.parseFloat(value.toPrecision(digits));
    if (Math.fround(candidate) === Math.fround(value)) return candidate;
  }
  return value;
}

function floatTensor(tensor: IoTensor, name: string): Tensor {
  if (tensor.data instanceof BigInt64Array || tensor.data instanceof BigUint64Array) {
    throw new MissingTensorError({ operation: 'modelFromOnnx', tensor: name, reason: `has integer dtype ${tensor.dtype}, expected a float tensor` });
  }
  return { shape: [...tensor.shape], data: Float64Array.from(tensor.data) };
}

function transpose2d(t: Tensor): Tensor {
  const [rows, columns] = t.shape as [number, number];
  const data = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) data[j * rows + i] = t.data[i * columns + j]!;
  return { shape: [columns, rows], data };
}

function scaled(t: Tensor, factor: number): Tensor {
  if (factor === 1) return t;
  return { shape: t.shape, data: t.data.map((v) => v * factor) };
}

function layerNameOf(weightName: string): string {
  return weightName.endsWith('.weight') ? weightName.slice(0, -'.weight'.length) : weightName;
}

function nodeLayerName(node: OnnxNode): string {
  return node.name.replace(/^\/+/, '').replaceAll('/', '.');
}

/**
 * Builds a sequential model from an ONNX graph (`readOnnx`'s result). The graph must be a
 * chain from its one input to its one output. Operators: `Gemm` (transA = 0; transB 0 or 1;
 * alpha and beta folded into the weight and bias), `MatMul` by a weight initializer with an
 * optional following `Add` of a bias, `Conv` (1-D and 2-D; explicit pads, any strides,
 * dilations, groups; `auto_pad` NOTSET only), `BatchNormalization` (inference), `Flatten`
 * (axis 1), `Reshape` to `[N, -1]`, `Relu`, `Tanh`, `Sigmoid`, `Softplus`, `Identity`, and
 * `Dropout` (the identity at inference). Weights and constants may be initializers or
 * `Constant` nodes. Dense and convolution layers are named after their weight initializer
 * (`fc1.weight` gives `fc1`), batch norms after their scale; other layers after their node.
 * A name that would be empty falls back to the node's name, then to `<kind><position>`
 * (e.g. `dense2`); a name already taken gets `#2`, `#3`, ... in graph order.
 * The precision is float32 when every weight used was float32.
 *
 * @throws UnsupportedOperatorError, MissingTensorError, ShapeMismatchError.
 */
export function modelFromOnnx(onnx: OnnxModel, options: ModelFromOnnxOptions = {}): SequentialModel {
  const graph = onnx.graph;
  const reader = new ChainReader(graph.initializers);
  const input = singleDataInput(graph, reader);
  const inputShape = options.inputShape ?? graphInputShape(input);
  let current = input.name;
  const nodes = graph.nodes;
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!;
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      throw new UnsupportedOperatorError({ operation, operator: node.opType, node: node.name, reason: `domain ${JSON.stringify(node.domain)} is not the default ONNX domain` });
    }
    if (node.opType === 'Constant') {
      reader.addConstant(node);
      continue;
    }
    if (node.inputs[0] !== current) {
      throw new UnsupportedOperatorError({ operation, operator: node.opType, node: node.name, reason: `reads ${JSON.stringify(node.inputs[0])} but the chain is at ${JSON.stringify(current)}: only sequential graphs are supported` });
    }
    current = node.outputs[0]!;
    const next = nodes[index + 1];
    // MatMul followed by the Add of a bias is one dense layer.
    if (node.opType === 'MatMul' && next !== undefined && next.opType === 'Add' && next.inputs.includes(current)) {
      reader.layers.push(matMulLayer(reader, node, next));
      current = next.outputs[0]!;
      index++;
      continue;
    }
    const layer = nodeLayer(reader, node);
    if (layer !== null) reader.layers.push(layer);
  }
  if (current !== graph.outputs[0]!.name) {
    throw new UnsupportedOperatorError({ operation, operator: 'graph', node: graph.name, reason: `the chain ends at ${JSON.stringify(current)}, not at the output ${JSON.stringify(graph.outputs[0]!.name)}` });
  }
  // sequential() checks every shape, including a Reshape's explicit size against the next layer.
  return sequential(inputShape, reader.layers, { precision: reader.precision() });
}

const operation = 'modelFromOnnx';

/** The state of reading a chain of ONNX nodes into layers: the constants seen, the weights' dtypes, the layers and their names. */
class ChainReader {
  readonly constants: Map<string, IoTensor>;
  readonly layers: Layer[] = [];
  private readonly dtypes = new Set<string>();
  private readonly names = new Set<string>();

  constructor(initializers: ReadonlyMap<string, IoTensor>) {
    this.constants = new Map(initializers);
  }

  addConstant(node: OnnxNode): void {
    const value = node.attributes.value;
    if (value === undefined || value.type !== 'tensor') throw new UnsupportedOperatorError({ operation, operator: 'Constant', node: node.name, reason: 'only tensor-valued constants are supported' });
    this.constants.set(node.outputs[0]!, value.value);
  }

  /** Input `position` of `node`, which must be a weight (an initializer or a constant). */
  weight(node: OnnxNode, position: number): { name: string; tensor: Tensor } {
    const name = node.inputs[position];
    if (name === undefined || name === '') throw new MissingTensorError({ operation, tensor: `${node.opType} input ${position}`, reason: `missing in node ${JSON.stringify(node.name)}` });
    const found = this.constants.get(name);
    if (found === undefined) {
      throw new UnsupportedOperatorError({ operation, operator: node.opType, node: node.name, reason: `input ${JSON.stringify(name)} is not an initializer or constant (only weights may be side inputs)` });
    }
    this.dtypes.add(found.dtype);
    return { name, tensor: floatTensor(found, name) };
  }

  optionalWeight(node: OnnxNode, position: number): { name: string; tensor: Tensor } | null {
    const name = node.inputs[position];
    return name === undefined || name === '' ? null : this.weight(node, position);
  }

  /**
   * Names come from the file: never empty (the node's name, else `<kind><position>` as
   * `sequential` names), and never shared by two layers (the second `fc` is `fc#2`, ...).
   */
  unique(name: string, node: OnnxNode, kind: string): string {
    const base = name !== '' ? name : nodeLayerName(node) !== '' ? nodeLayerName(node) : `${kind}${this.layers.length}`;
    let candidate = base;
    for (let k = 2; this.names.has(candidate); k++) candidate = `${base}#${k}`;
    this.names.add(candidate);
    return candidate;
  }

  /** float32 when every weight used was float32. */
  precision(): 'float32' | 'float64' {
    return this.dtypes.size > 0 && [...this.dtypes].every((d) => d === 'float32') ? 'float32' : 'float64';
  }
}

/** The graph's one input that is not a weight; the graph must have one output too. */
function singleDataInput(graph: OnnxModel['graph'], reader: ChainReader): OnnxModel['graph']['inputs'][number] {
  const dataInputs = graph.inputs.filter((input) => !reader.constants.has(input.name));
  if (dataInputs.length !== 1) {
    throw new UnsupportedOperatorError({ operation, operator: 'graph', node: graph.name, reason: `expected one data input, found ${dataInputs.length}` });
  }
  if (graph.outputs.length !== 1) throw new UnsupportedOperatorError({ operation, operator: 'graph', node: graph.name, reason: `expected one output, found ${graph.outputs.length}` });
  return dataInputs[0]!;
}

/** The shape of one sample (the input's shape without its batch axis), which must be fixed. */
function graphInputShape(input: OnnxModel['graph']['inputs'][number]): readonly number[] {
  const dims = input.shape?.slice(1);
  if (dims === undefined || dims.some((d) => typeof d !== 'number')) {
    throw new InvalidArgumentError({ operation, argument: 'inputShape', what: `graph input ${JSON.stringify(input.name)} has shape ${JSON.stringify(input.shape)}; pass options.inputShape`, ...netsScope });
  }
  return dims as number[];
}

/** The layer one node translates to; null for a node that computes nothing at inference (Dropout). */
function nodeLayer(reader: ChainReader, node: OnnxNode): Layer | null {
  const activationName = ACTIVATION_OPS[node.opType];
  if (activationName !== undefined) return activation(activationName, reader.unique(nodeLayerName(node), node, activationName));
  switch (node.opType) {
    case 'Gemm':
      return gemmLayer(reader, node);
    case 'MatMul':
      return matMulLayer(reader, node, undefined);
    case 'Conv':
      return convLayer(reader, node);
    case 'BatchNormalization':
      return batchNormLayer(reader, node);
    case 'Flatten':
      if (attributeNumber(node, 'axis', 1) !== 1) throw new UnsupportedOperatorError({ operation, operator: 'Flatten', node: node.name, reason: 'only axis = 1 is supported' });
      return flatten(reader.unique(nodeLayerName(node), node, 'flatten'));
    case 'Reshape':
      return reshapeLayer(reader, node);
    case 'Dropout':
      return null;
    default:
      throw new UnsupportedOperatorError({ operation, operator: node.opType, node: node.name, reason: 'no translation to a layer' });
  }
}

/** Gemm: transA = 0; transB 0 or 1; alpha and beta folded into the weight and bias. */
function gemmLayer(reader: ChainReader, node: OnnxNode): Layer {
  if (attributeNumber(node, 'transA', 0) !== 0) throw new UnsupportedOperatorError({ operation, operator: 'Gemm', node: node.name, reason: 'transA = 1 is not supported' });
  const w = reader.weight(node, 1);
  if (w.tensor.shape.length !== 2) throw new UnsupportedOperatorError({ operation, operator: 'Gemm', node: node.name, reason: `weight has shape ${formatShape(w.tensor.shape)}` });
  const alpha = attributeNumber(node, 'alpha', 1);
  const beta = attributeNumber(node, 'beta', 1);
  const matrix = scaled(attributeNumber(node, 'transB', 0) === 1 ? w.tensor : transpose2d(w.tensor), alpha);
  const c = reader.optionalWeight(node, 2);
  return dense({ name: reader.unique(layerNameOf(w.name), node, 'dense'), weight: matrix, bias: c === null ? null : biasVector(c.tensor, matrix.shape[0]!, beta, node) });
}

/** MatMul by a weight (x W: the layer's weight is W^T), with the bias of the `Add` that follows it, if any. */
function matMulLayer(reader: ChainReader, node: OnnxNode, add: OnnxNode | undefined): Layer {
  const w = reader.weight(node, 1);
  if (w.tensor.shape.length !== 2) throw new UnsupportedOperatorError({ operation, operator: 'MatMul', node: node.name, reason: `weight has shape ${formatShape(w.tensor.shape)}` });
  const matrix = transpose2d(w.tensor);
  let bias: Tensor | null = null;
  if (add !== undefined) {
    const b = reader.weight(add, add.inputs[0] === node.outputs[0] ? 1 : 0);
    bias = biasVector(b.tensor, matrix.shape[0]!, 1, add);
  }
  return dense({ name: reader.unique(layerNameOf(w.name), node, 'dense'), weight: matrix, bias });
}

/** Conv, 1-D or 2-D: explicit pads, any strides, dilations, groups; auto_pad NOTSET or VALID. */
function convLayer(reader: ChainReader, node: OnnxNode): Layer {
  const autoPad = node.attributes.auto_pad;
  if (autoPad !== undefined && !(autoPad.type === 'string' && (autoPad.value === 'NOTSET' || autoPad.value === 'VALID'))) {
    throw new UnsupportedOperatorError({ operation, operator: 'Conv', node: node.name, reason: 'auto_pad SAME_UPPER/SAME_LOWER is not supported; export with explicit pads' });
  }
  const w = reader.weight(node, 1);
  const b = reader.optionalWeight(node, 2);
  const rank = w.tensor.shape.length - 2;
  const strides = attributeInts(node, 'strides') ?? new Array<number>(rank).fill(1);
  const dilations = attributeInts(node, 'dilations') ?? new Array<number>(rank).fill(1);
  const pads = attributeInts(node, 'pads') ?? new Array<number>(2 * rank).fill(0);
  const group = attributeNumber(node, 'group', 1);
  const name = reader.unique(layerNameOf(w.name), node, rank === 1 ? 'conv1d' : 'conv2d');
  if (rank === 1) {
    return conv1d({ name, weight: w.tensor, bias: b?.tensor ?? null, stride: strides[0]!, padding: [pads[0]!, pads[1]!], dilation: dilations[0]!, groups: group });
  }
  if (rank === 2) {
    return conv2d({
      name,
      weight: w.tensor,
      bias: b?.tensor ?? null,
      stride: [strides[0]!, strides[1]!],
      padding: [pads[0]!, pads[1]!, pads[2]!, pads[3]!],
      dilation: [dilations[0]!, dilations[1]!],
      groups: group,
    });
  }
  throw new UnsupportedOperatorError({ operation, operator: 'Conv', node: node.name, reason: `${rank}-D convolutions are not supported` });
}

/** BatchNormalization at inference (training_mode 0). */
function batchNormLayer(reader: ChainReader, node: OnnxNode): Layer {
  if (attributeNumber(node, 'training_mode', 0) !== 0) throw new UnsupportedOperatorError({ operation, operator: node.opType, node: node.name, reason: 'training_mode = 1' });
  const scale = reader.weight(node, 1);
  return batchNorm({
    name: reader.unique(layerNameOf(scale.name), node, 'batchnorm'),
    scale: scale.tensor,
    shift: reader.weight(node, 2).tensor,
    mean: reader.weight(node, 3).tensor,
    variance: reader.weight(node, 4).tensor,
    epsilon: decimalOfFloat32(attributeNumber(node, 'epsilon', 1e-5)),
  });
}

/** Reshape to [N, -1] (or [N, size], which sequential() checks against the next layer): a flatten. */
function reshapeLayer(reader: ChainReader, node: OnnxNode): Layer {
  const target = reader.constants.get(node.inputs[1] ?? '');
  const dims = target === undefined ? undefined : Array.from(target.data as ArrayLike<number | bigint>, Number);
  const flattening = dims !== undefined && dims.length === 2 && (dims[0] === 0 || dims[0] === -1) && dims[1] === -1;
  const sized = dims !== undefined && dims.length === 2 && (dims[0] === 0 || dims[0] === -1);
  if (!flattening && !sized) {
    throw new UnsupportedOperatorError({ operation, operator: 'Reshape', node: node.name, reason: `only reshapes to [N, -1] (a flatten) are supported, got ${JSON.stringify(dims)}` });
  }
  return flatten(reader.unique(nodeLayerName(node), node, 'flatten'));
}

function biasVector(t: Tensor, units: number, beta: number, node: OnnxNode): Tensor {
  const size = shapeSize(t.shape);
  if (size === units) return scaled({ shape: [units], data: t.data }, beta);
  if (size === 1) return { shape: [units], data: new Float64Array(units).fill(t.data[0]! * beta) };
  throw new UnsupportedOperatorError({ operation: 'modelFromOnnx', operator: node.opType, node: node.name, reason: `bias of shape ${formatShape(t.shape)} does not broadcast to [${units}]` });
}

/** Reads an ONNX file's bytes into a model (`readOnnx` then `modelFromOnnx`). */
export function readOnnxModel(bytes: Uint8Array | ArrayBuffer, options: ModelFromOnnxOptions & ReadOnnxOptions = {}): SequentialModel {
  const readOptions: ReadOnnxOptions = {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
  };
  return modelFromOnnx(readOnnx(bytes, readOptions), options.inputShape === undefined ? {} : { inputShape: options.inputShape });
}

/**
 * An ONNX description of a model (for io's `writeOnnx`): input `input` `[batch, ...]`, output
 * `output`, opset 17; dense layers as `Gemm` (transB = 1), convolutions as `Conv`, batch norms as
 * `BatchNormalization`, flatten as `Flatten`, activations as `Relu`/`Tanh`/`Sigmoid`/`Softplus`/
 * `Identity`. Initializers keep PyTorch's names (`fc1.weight`, ...) and the dtype `modelToTensors`
 * chooses (float32 when lossless). Note that ONNX stores BatchNormalization's epsilon as a float32.
 */
export function modelToOnnx(model: SequentialModel): OnnxModelDescription {
  const tensors = modelToTensors(model);
  const dtype = tensors.values().next().value?.dtype ?? (model.precision === 'float32' ? 'float32' : 'float64');
  const nodes: OnnxNodeDescription[] = [];
  let current = 'input';
  model.layers.forEach((layer, index) => {
    const output = index === model.layers.length - 1 ? 'output' : `${layer.name}.output`;
    const inputs = [current];
    let opType: string;
    const attributes: Record<string, OnnxAttribute> = {};
    switch (layer.kind) {
      case 'dense':
        opType = 'Gemm';
        inputs.push(`${layer.name}.weight`);
        if (layer.bias !== null) inputs.push(`${layer.name}.bias`);
        attributes.transB = { type: 'int', value: 1 };
        break;
      case 'conv1d':
      case 'conv2d': {
        opType = 'Conv';
        inputs.push(`${layer.name}.weight`);
        if (layer.bias !== null) inputs.push(`${layer.name}.bias`);
        const kernel = layer.weight.shape.slice(2);
        attributes.kernel_shape = { type: 'ints', value: kernel };
        attributes.group = { type: 'int', value: layer.groups };
        if (layer.kind === 'conv1d') {
          attributes.strides = { type: 'ints', value: [layer.stride] };
          attributes.dilations = { type: 'ints', value: [layer.dilation] };
          attributes.pads = { type: 'ints', value: [...layer.padding] };
        } else {
          attributes.strides = { type: 'ints', value: [...layer.stride] };
          attributes.dilations = { type: 'ints', value: [...layer.dilation] };
          attributes.pads = { type: 'ints', value: [...layer.padding] };
        }
        break;
      }
      case 'batchnorm':
        opType = 'BatchNormalization';
        inputs.push(`${layer.name}.weight`, `${layer.name}.bias`, `${layer.name}.running_mean`, `${layer.name}.running_var`);
        attributes.epsilon = { type: 'float', value: layer.epsilon };
        break;
      case 'flatten':
        opType = 'Flatten';
        attributes.axis = { type: 'int', value: 1 };
        break;
      case 'activation':
        opType = OPS_OF_ACTIVATION[layer.activation];
        break;
    }
    nodes.push({ opType, name: layer.name, inputs, outputs: [output], attributes });
    current = output;
  });
  if (model.layers.length === 0) throw new InvalidArgumentError({ operation: 'modelToOnnx', argument: 'model', what: 'has no layers', ...netsScope });
  const outputShape = outputShapeOf(model);
  return {
    opset: 17,
    producerName: '@descramble/nets',
    graph: {
      name: 'sequential',
      nodes,
      initializers: tensors,
      inputs: [{ name: 'input', dtype, shape: ['batch', ...model.inputShape] }],
      outputs: [{ name: 'output', dtype, shape: ['batch', ...outputShape] }],
    },
  };
}

function outputShapeOf(model: SequentialModel): number[] {
  const shapes = layerShapes(model);
  return shapes[shapes.length - 1]!;
}

/** Encodes a model as ONNX bytes (`modelToOnnx` then io's `writeOnnx`). */
export function writeOnnxModel(model: SequentialModel): Uint8Array {
  return writeOnnx(modelToOnnx(model));
}
