/**
 * ONNX models: `readOnnx` decodes a ModelProto (schema generated into ./generated from
 * ONNX 1.12's onnx.proto for @bufbuild/protobuf) into plain objects: the graph's nodes
 * with their attributes, its inputs/outputs with shapes, and its initializers as tensors
 * (raw_data, the typed fields float_data/double_data/int32_data/int64_data/uint64_data, or
 * external data). `writeOnnx` encodes a plain description back into a ModelProto.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  type AttributeProto,
  type GraphProto,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from './generated/onnx_pb.js';
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes } from './context.js';
import { ExternalDataError, InvalidModelError, IoError } from './errors.js';
import {
  type DType,
  ELEMENT_SIZE,
  type Tensor,
  type TensorInput,
  type TensorsInput,
  checkedElementCount,
  decodeElements,
  encodeElements,
  float16BitsToNumber,
  bfloat16BitsToNumber,
  makeTensor,
  tensorEntries,
} from './tensor.js';

// ---- public types ----------------------------------------------------------------------

/** A node attribute, tagged with its ONNX type. INT/INTS are int64 in ONNX, numbers here. */
export type OnnxAttribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] };

/** A graph node: `opType` such as `Gemm`, `Conv`, `Relu`; inputs/outputs are value names. */
export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** Operator set domain; `""` is the default ONNX domain. */
  readonly domain: string;
  /** Input value names in order; `""` marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input, output or intermediate value with its element type and shape. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Element type; `null` when not a tensor of a supported dtype (or unspecified). */
  readonly dtype: DType | null;
  /**
   * Dimensions: a number (`dim_value`), a string (`dim_param`, e.g. `"batch"`) or `null`
   * (unknown); the whole shape is `null` when the rank is unknown.
   */
  readonly shape: readonly (number | string | null)[] | null;
}

/** An ONNX graph as plain data. */
export interface OnnxGraph {
  readonly name: string;
  /** Nodes in file order (ONNX requires topological order). */
  readonly nodes: readonly OnnxNode[];
  /** Weights by name, in file order. */
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Shapes of intermediate values, when the file records them. */
  readonly valueInfo: readonly OnnxValueInfo[];
}

/** An operator set import: `{ domain: "", version: 17 }` is ONNX opset 17. */
export interface OnnxOpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** An ONNX model as plain data (`readOnnx`'s result). */
export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetImports: readonly OnnxOpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly graph: OnnxGraph;
}

/**
 * External data read by range, so that a tensor at an offset of a large file costs its own
 * bytes only (`externalDataFromFolder` of `@descramble/io/node` is one).
 */
export interface ExternalDataReader {
  /**
   * Exactly `length` bytes of the file `location` from byte `offset`; throws (ExternalDataError)
   * when the file is missing, not allowed, or shorter than `offset + length`.
   */
  readonly readRange: (location: string, offset: number, length: number) => Uint8Array;
}

/**
 * Where `readOnnx` finds external data: a map or a function from `location` to the whole
 * file's bytes, or a reader of byte ranges (preferred when it is both).
 */
export type ExternalDataSource =
  | ReadonlyMap<string, Uint8Array>
  | Readonly<Record<string, Uint8Array>>
  | ((location: string) => Uint8Array | undefined)
  | ExternalDataReader;

/** Options of `readOnnx`. */
export interface ReadOnnxOptions extends MemoryBudgetOptions {
  /** Name for error messages (the file path, say). */
  readonly name?: string;
  /**
   * Contents of external data files by `location` (relative to the model's folder). Without
   * it, a tensor with external data fails with ExternalDataError. `@descramble/io/node`'s
   * `readOnnxFile` fills it from disk.
   */
  readonly externalData?: ExternalDataSource;
}

// ---- reading ---------------------------------------------------------------------------

/** ONNX TensorProto.DataType codes of the dtypes we read and write. */
export const ONNX_DATA_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};
const DTYPE_FROM_ONNX = new Map<number, DType>(Object.entries(ONNX_DATA_TYPE).map(([dtype, code]) => [code, dtype as DType]));
const ONNX_TYPE_NAMES = ['UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16'];

const ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

const utf8 = new TextDecoder('utf-8');

function rangeReader(source: ExternalDataSource | undefined): ExternalDataReader | undefined {
  if (source === undefined || source instanceof Map) return undefined;
  const readRange = (source as Partial<ExternalDataReader>).readRange;
  return typeof readRange === 'function' ? (source as ExternalDataReader) : undefined;
}

function lookupExternal(source: ExternalDataSource | undefined, location: string): Uint8Array | undefined {
  if (source === undefined) return undefined;
  if (typeof source === 'function') return source(location);
  if (source instanceof Map) return (source as ReadonlyMap<string, Uint8Array>).get(location);
  const record = source as Readonly<Record<string, Uint8Array>>;
  return Object.hasOwn(record, location) ? record[location] : undefined;
}

function safeNumber(value: bigint, context: ReadContext, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw context.malformed(field, `integer ${value} out of range`);
  }
  return Number(value);
}

/** int64 attribute values may be sentinels such as INT64_MAX (Slice's "to the end"): kept approximately. */
function attributeInt(value: bigint): number {
  return Number(value);
}

/** Decoded bytes of a tensor (8 per element), `undefined` when its dims are invalid (decodeTensor says why). */
function decodedBytes(proto: TensorProto): number | undefined {
  if (proto.dims.some((dim) => dim < 0n || dim > BigInt(Number.MAX_SAFE_INTEGER))) return undefined;
  const count = checkedElementCount(proto.dims.map(Number));
  return count === undefined ? undefined : count * 8;
}

function decodeTensor(proto: TensorProto, context: ReadContext, field: string, external: ExternalDataSource | undefined, budget: MemoryBudget): Tensor {
  const dtype = DTYPE_FROM_ONNX.get(proto.dataType);
  if (dtype === undefined) throw context.dtype(`${field}.data_type`, ONNX_TYPE_NAMES[proto.dataType] ?? String(proto.dataType));
  if (proto.segment !== undefined) throw context.unsupported(`${field}.segment`, 'segmented tensor');
  const shape = proto.dims.map((dim, axis) => {
    if (dim < 0n) throw context.malformed(`${field}.dims`, `negative dimension ${dim} at axis ${axis}`);
    return safeNumber(dim, context, `${field}.dims`);
  });
  const count = checkedElementCount(shape);
  if (count === undefined) throw context.malformed(`${field}.dims`, 'element count not representable');
  const size = ELEMENT_SIZE[dtype];
  budget.reserve(`${field} as float64`, count * 8);
  if (proto.dataLocation === 1) {
    const entries = new Map(proto.externalData.map((entry) => [entry.key, entry.value]));
    const location = entries.get('location');
    if (location === undefined) throw context.malformed(`${field}.external_data`, 'no location');
    const parse = (key: string): number | undefined => {
      const text = entries.get(key);
      if (text === undefined) return undefined;
      if (!/^\d{1,15}$/.test(text)) throw new ExternalDataError({ file: context.file, field: `${field}.external_data.${key}`, location, reason: `${key} ${JSON.stringify(text)} is not a non-negative integer` });
      return Number(text);
    };
    const offset = parse('offset') ?? 0;
    const length = parse('length') ?? count * size;
    if (length !== count * size) {
      throw new ExternalDataError({ file: context.file, field: `${field}.external_data.length`, location, reason: `length ${length} != ${count} elements x ${size} bytes` });
    }
    const reader = rangeReader(external);
    if (reader !== undefined) {
      budget.reserve(`${field} external data`, length);
      const data = reader.readRange(location, offset, length);
      if (data.length !== length) throw new ExternalDataError({ file: context.file, field: `${field}.external_data.length`, location, reason: `read ${data.length} bytes, expected ${length}` });
      const tensor = makeTensor(dtype, shape, decodeElements(data, 0, count, dtype));
      budget.release(length);
      return tensor;
    }
    const data = lookupExternal(external, location);
    if (data === undefined) throw new ExternalDataError({ file: context.file, field: `${field}.external_data.location`, location, reason: 'not provided' });
    if (offset + length > data.length) {
      throw new ExternalDataError({ file: context.file, field: `${field}.external_data.offset`, location, reason: `range [${offset}, ${offset + length}) beyond its ${data.length} bytes` });
    }
    return makeTensor(dtype, shape, decodeElements(data, offset, count, dtype));
  }
  if (proto.rawData.length > 0 || count === 0) {
    if (proto.rawData.length !== count * size) {
      throw context.malformed(`${field}.raw_data`, `${proto.rawData.length} bytes, dims [${shape.join(', ')}] of ${dtype} need ${count * size}`);
    }
    return makeTensor(dtype, shape, decodeElements(proto.rawData, 0, count, dtype));
  }
  const typed = (values: ArrayLike<number | bigint>, fieldName: string): ArrayLike<number | bigint> => {
    if (values.length !== count) {
      throw context.malformed(`${field}.${fieldName}`, `${values.length} values, dims [${shape.join(', ')}] need ${count}`);
    }
    return values;
  };
  switch (dtype) {
    case 'float32':
      return makeTensor(dtype, shape, Float64Array.from(typed(proto.floatData, 'float_data') as ArrayLike<number>, Math.fround));
    case 'float64':
      return makeTensor(dtype, shape, Float64Array.from(typed(proto.doubleData, 'double_data') as ArrayLike<number>));
    case 'int64':
      return makeTensor(dtype, shape, BigInt64Array.from(typed(proto.int64Data, 'int64_data') as ArrayLike<bigint>));
    case 'uint64':
      return makeTensor(dtype, shape, BigUint64Array.from(typed(proto.uint64Data, 'uint64_data') as ArrayLike<bigint>));
    case 'uint32':
      return makeTensor(dtype, shape, Float64Array.from(typed(proto.uint64Data, 'uint64_data') as ArrayLike<bigint>, (v) => Number(BigInt.asUintN(32, v))));
    case 'float16':
      return makeTensor(dtype, shape, Float64Array.from(typed(proto.int32Data, 'int32_data') as ArrayLike<number>, (v) => float16BitsToNumber(v & 0xffff)));
    case 'bfloat16':
      return makeTensor(dtype, shape, Float64Array.from(typed(proto.int32Data, 'int32_data') as ArrayLike<number>, (v) => bfloat16BitsToNumber(v & 0xffff)));
    default: {
      // int8, int16, int32, uint8, uint16, bool live in int32_data
      const values = typed(proto.int32Data, 'int32_data') as ArrayLike<number>;
      const data = Float64Array.from(values);
      const range: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], uint8: [0, 255], uint16: [0, 65535], bool: [0, 1] };
      const [low, high] = range[dtype]!;
      for (let i = 0; i < data.length; i++) {
        if (data[i]! < low || data[i]! > high) throw context.malformed(`${field}.int32_data`, `value ${data[i]} out of range for ${dtype}`);
      }
      return makeTensor(dtype, shape, data);
    }
  }
}

function decodeValueInfo(proto: ValueInfoProto): OnnxValueInfo {
  const type = proto.type?.value;
  if (type?.case !== 'tensorType') return { name: proto.name, dtype: null, shape: null };
  const dtype = DTYPE_FROM_ONNX.get(type.value.elemType) ?? null;
  const shapeProto = type.value.shape;
  const shape =
    shapeProto === undefined
      ? null
      : shapeProto.dim.map((dim) =>
          dim.value.case === 'dimValue'
            ? Number(dim.value.value)
            : dim.value.case === 'dimParam'
              ? dim.value.value
              : null,
        );
  return { name: proto.name, dtype, shape };
}

function decodeAttribute(proto: AttributeProto, context: ReadContext, field: string, external: ExternalDataSource | undefined, budget: MemoryBudget): OnnxAttribute | undefined {
  switch (proto.type) {
    case ATTRIBUTE.FLOAT:
      return { type: 'float', value: proto.f };
    case ATTRIBUTE.INT:
      return { type: 'int', value: attributeInt(proto.i) };
    case ATTRIBUTE.STRING:
      return { type: 'string', value: utf8.decode(proto.s) };
    case ATTRIBUTE.TENSOR:
      if (proto.t === undefined) throw context.malformed(field, 'TENSOR attribute without a tensor');
      return { type: 'tensor', value: decodeTensor(proto.t, context, field, external, budget) };
    case ATTRIBUTE.FLOATS:
      return { type: 'floats', value: [...proto.floats] };
    case ATTRIBUTE.INTS:
      return { type: 'ints', value: proto.ints.map(attributeInt) };
    case ATTRIBUTE.STRINGS:
      return { type: 'strings', value: proto.strings.map((s) => utf8.decode(s)) };
    default:
      // graphs (If/Loop bodies), sparse tensors and type protos are not represented
      return undefined;
  }
}

function decodeGraph(proto: GraphProto, context: ReadContext, external: ExternalDataSource | undefined, budget: MemoryBudget): OnnxGraph {
  // every initializer as float64, checked together before any is decoded
  let decoded = 0;
  for (const tensor of proto.initializer) decoded += decodedBytes(tensor) ?? 0;
  budget.check(`${proto.initializer.length} initializers as float64`, decoded);
  const initializers = new Map<string, Tensor>();
  proto.initializer.forEach((tensor, index) => {
    const field = `initializer ${JSON.stringify(tensor.name || String(index))}`;
    if (initializers.has(tensor.name)) throw context.malformed(field, 'duplicate initializer name');
    initializers.set(tensor.name, decodeTensor(tensor, context, field, external, budget));
  });
  const nodes = proto.node.map((node, index): OnnxNode => {
    const attributes: Record<string, OnnxAttribute> = {};
    for (const attribute of node.attribute) {
      const field = `node ${JSON.stringify(node.name || String(index))}.${attribute.name}`;
      const value = decodeAttribute(attribute, context, field, external, budget);
      if (value !== undefined) {
        Object.defineProperty(attributes, attribute.name, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return {
      name: node.name,
      opType: node.opType,
      domain: node.domain,
      inputs: [...node.input],
      outputs: [...node.output],
      attributes,
    };
  });
  return {
    name: proto.name,
    nodes,
    initializers,
    inputs: proto.input.map(decodeValueInfo),
    outputs: proto.output.map(decodeValueInfo),
    valueInfo: proto.valueInfo.map(decodeValueInfo),
  };
}

/**
 * Reads an ONNX model: graph nodes (op type, inputs, outputs, attributes), inputs and outputs
 * with shapes, and initializers as tensors (float32 widened to Float64Array; raw_data, typed
 * fields or external data).
 *
 * @throws MalformedHeaderError (not a ModelProto, inconsistent tensor), UnsupportedDtypeError
 * (string/complex/float8 initializers), ExternalDataError, all naming the offending field.
 */
export function readOnnx(input: BytesInput, options: ReadOnnxOptions = {}): OnnxModel {
  const bytes = asBytes(input);
  const context = new ReadContext('onnx', options.name ?? UNNAMED);
  const budget = MemoryBudget.of(options, 'onnx', context.file);
  let model: ReturnType<typeof fromBinary<typeof ModelProtoSchema>>;
  try {
    model = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
  } catch (error) {
    throw context.wrap('ModelProto', error);
  }
  if (model.graph === undefined) throw context.malformed('graph', 'ModelProto has no graph');
  try {
    return {
      irVersion: safeNumber(model.irVersion, context, 'ir_version'),
      opsetImports: model.opsetImport.map((opset) => ({ domain: opset.domain, version: safeNumber(opset.version, context, 'opset_import.version') })),
      producerName: model.producerName,
      producerVersion: model.producerVersion,
      domain: model.domain,
      modelVersion: safeNumber(model.modelVersion, context, 'model_version'),
      docString: model.docString,
      graph: decodeGraph(model.graph, context, options.externalData, budget),
    };
  } catch (error) {
    if (IoError.isInstance(error)) throw error;
    throw context.wrap('graph', error);
  }
}

// ---- writing ---------------------------------------------------------------------------

/** A value (graph input/output) for `writeOnnx`: dims as numbers, names (`"batch"`) or null. */
export interface OnnxValueInfoDescription {
  readonly name: string;
  readonly dtype: DType | null;
  readonly shape: readonly (number | string | null)[] | null;
}

/** A node for `writeOnnx`. */
export interface OnnxNodeDescription {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph for `writeOnnx`. Initializers are written as raw_data in their tensor's dtype. */
export interface OnnxGraphDescription {
  readonly name?: string;
  readonly nodes: readonly OnnxNodeDescription[];
  readonly initializers?: TensorsInput;
  readonly inputs: readonly OnnxValueInfoDescription[];
  readonly outputs: readonly OnnxValueInfoDescription[];
  readonly valueInfo?: readonly OnnxValueInfoDescription[];
}

/** A model for `writeOnnx`; an `OnnxModel` from `readOnnx` is one. */
export interface OnnxModelDescription {
  readonly graph: OnnxGraphDescription;
  /** Default-domain opset version (default 17); ignored when `opsetImports` is given. */
  readonly opset?: number;
  readonly opsetImports?: readonly OnnxOpsetImport[];
  /** IR version (default 8, what opset 17 exporters write). */
  readonly irVersion?: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
}

const utf8Encoder = new TextEncoder();

function encodeTensor(name: string, tensor: TensorInput): TensorProto {
  const raw = encodeElements(name, tensor, { format: 'onnx', file: '<model>' });
  return create(TensorProtoSchema, {
    name,
    dims: tensor.shape.map((dim) => BigInt(dim)),
    dataType: ONNX_DATA_TYPE[tensor.dtype],
    // encodeElements allocates its own ArrayBuffer; its declared type stays a plain Uint8Array so
    // that the published declarations compile with TypeScript before 5.7 (no generic typed arrays).
    rawData: raw as Uint8Array<ArrayBuffer>,
  });
}

function toInt64(value: number, field: string): bigint {
  if (!Number.isFinite(value) || !Number.isInteger(value)) throw new InvalidModelError({ field, reason: `int attribute value ${value} is not an integer` });
  // sentinels such as INT64_MAX read back as 2^63 (rounded): clamp into int64
  if (value >= 2 ** 63) return 2n ** 63n - 1n;
  if (value < -(2 ** 63)) return -(2n ** 63n);
  return BigInt(value);
}

function encodeAttribute(name: string, attribute: OnnxAttribute, field: string): AttributeProto {
  switch (attribute.type) {
    case 'float':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.FLOAT, f: attribute.value });
    case 'int':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.INT, i: toInt64(attribute.value, field) });
    case 'string':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.STRING, s: utf8Encoder.encode(attribute.value) });
    case 'tensor':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.TENSOR, t: encodeTensor(name, attribute.value) });
    case 'floats':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.FLOATS, floats: [...attribute.value] });
    case 'ints':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.INTS, ints: attribute.value.map((v) => toInt64(v, field)) });
    case 'strings':
      return create(AttributeProtoSchema, { name, type: ATTRIBUTE.STRINGS, strings: attribute.value.map((s) => utf8Encoder.encode(s)) });
    default:
      throw new InvalidModelError({ field, reason: `unknown attribute type ${(attribute as { type: unknown }).type}` });
  }
}

function encodeValueInfo(info: OnnxValueInfoDescription, field: string): ValueInfoProto {
  if (info.dtype !== null && !(info.dtype in ONNX_DATA_TYPE)) throw new InvalidModelError({ field: `${field}.dtype`, reason: `unknown dtype ${info.dtype}` });
  const dims = (info.shape ?? []).map((dim, axis) => {
    if (typeof dim === 'number') {
      if (!Number.isSafeInteger(dim) || dim < 0) throw new InvalidModelError({ field: `${field}.shape`, reason: `dimension ${dim} at axis ${axis}` });
      return create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(dim) } });
    }
    if (typeof dim === 'string') return create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: dim } });
    return create(TensorShapeProto_DimensionSchema, {});
  });
  // no element type and no shape: leave the type out (what "let the runtime infer it" means to
  // ONNX Runtime, which rejects an explicit element type 0)
  if (info.dtype === null && info.shape === null) return create(ValueInfoProtoSchema, { name: info.name });
  const tensorType = create(TypeProto_TensorSchema, {
    elemType: info.dtype === null ? 0 : ONNX_DATA_TYPE[info.dtype],
    ...(info.shape === null ? {} : { shape: create(TensorShapeProtoSchema, { dim: dims }) }),
  });
  return create(ValueInfoProtoSchema, {
    name: info.name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }),
  });
}

/**
 * Encodes a model description as an ONNX ModelProto (IR 8, opset 17 by default). Checks that
 * every node input is a graph input, an initializer or an earlier node's output (topological
 * order, as ONNX requires), and every graph output is produced.
 *
 * @throws InvalidModelError, InvalidTensorError (initializer shape/data mismatch).
 */
export function writeOnnx(model: OnnxModelDescription): Uint8Array {
  const graph = model.graph;
  const initializers = tensorEntries(graph.initializers ?? new Map<string, TensorInput>());
  const known = new Set<string>(['']);
  for (const input of graph.inputs) known.add(input.name);
  for (const [name] of initializers) known.add(name);
  const nodes = graph.nodes.map((node, index) => {
    const field = `node ${JSON.stringify(node.name ?? String(index))}`;
    if (typeof node.opType !== 'string' || node.opType === '') throw new InvalidModelError({ field: `${field}.op_type`, reason: 'missing op type' });
    for (const input of node.inputs) {
      if (!known.has(input)) throw new InvalidModelError({ field: `${field}.input`, reason: `${JSON.stringify(input)} is not a graph input, an initializer or an earlier node's output` });
    }
    for (const output of node.outputs) known.add(output);
    const attributes = Object.entries(node.attributes ?? {}).map(([name, attribute]) => encodeAttribute(name, attribute, `${field}.${name}`));
    return create(NodeProtoSchema, {
      name: node.name ?? '',
      opType: node.opType,
      domain: node.domain ?? '',
      input: [...node.inputs],
      output: [...node.outputs],
      attribute: attributes,
    });
  });
  for (const output of graph.outputs) {
    if (!known.has(output.name)) throw new InvalidModelError({ field: 'graph.output', reason: `${JSON.stringify(output.name)} is produced by no node` });
  }
  const opsets = model.opsetImports ?? [{ domain: '', version: model.opset ?? 17 }];
  const proto = create(ModelProtoSchema, {
    irVersion: BigInt(model.irVersion ?? 8),
    opsetImport: opsets.map((opset) => create(OperatorSetIdProtoSchema, { domain: opset.domain, version: BigInt(opset.version) })),
    producerName: model.producerName ?? '@descramble/io',
    producerVersion: model.producerVersion ?? '0.1.0',
    domain: model.domain ?? '',
    modelVersion: BigInt(model.modelVersion ?? 0),
    docString: model.docString ?? '',
    graph: create(GraphProtoSchema, {
      name: graph.name ?? 'graph',
      node: nodes,
      initializer: initializers.map(([name, tensor]) => encodeTensor(name, tensor)),
      input: graph.inputs.map((info, index) => encodeValueInfo(info, `graph.input[${index}]`)),
      output: graph.outputs.map((info, index) => encodeValueInfo(info, `graph.output[${index}]`)),
      valueInfo: (graph.valueInfo ?? []).map((info, index) => encodeValueInfo(info, `graph.value_info[${index}]`)),
    }),
  });
  return toBinary(ModelProtoSchema, proto);
}
