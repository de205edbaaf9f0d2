import { create, toBinary } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, StringStringEntryProtoSchema, TensorProtoSchema } from './generated/onnx_pb.js';
import { describe, expect, it } from 'vitest';
import { fixture, values } from '../test/helpers.js';
import { ExternalDataError, InvalidModelError, IoError, MalformedHeaderError, UnsupportedDtypeError } from './errors.js';
import { type OnnxModelDescription, readOnnx, writeOnnx } from './onnx.js';

const mlp: OnnxModelDescription = {
  graph: {
    name: 'mlp',
    nodes: [
      { opType: 'Gemm', inputs: ['x', 'W1', 'b1'], outputs: ['z1'], name: 'fc1', attributes: { transB: { type: 'int', value: 1 }, alpha: { type: 'float', value: 1 } } },
      { opType: 'Tanh', inputs: ['z1'], outputs: ['h1'] },
      { opType: 'MatMul', inputs: ['h1', 'W2'], outputs: ['z2'] },
      { opType: 'Add', inputs: ['z2', 'b2'], outputs: ['y'] },
    ],
    initializers: new Map([
      ['W1', { dtype: 'float32' as const, shape: [3, 2], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }],
      ['b1', { dtype: 'float32' as const, shape: [3], data: [1, 2, 3] }],
      ['W2', { dtype: 'float64' as const, shape: [3, 1], data: [Math.PI, Math.E, -1] }],
      ['b2', { dtype: 'float64' as const, shape: [1], data: [0.5] }],
    ]),
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 2] }],
    outputs: [{ name: 'y', dtype: 'float64', shape: ['batch', 1] }],
  },
  opset: 17,
  producerName: 'test',
};

describe('writeOnnx / readOnnx', () => {
  it('round-trips a description: nodes, attributes, initializers (rounded to their dtype), shapes', () => {
    const model = readOnnx(writeOnnx(mlp));
    expect(model.irVersion).toBe(8);
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.producerName).toBe('test');
    expect(model.graph.nodes.map((node) => [node.opType, node.inputs, node.outputs])).toEqual(mlp.graph.nodes.map((node) => [node.opType, node.inputs, node.outputs]));
    expect(model.graph.nodes[0]!.attributes).toEqual({ transB: { type: 'int', value: 1 }, alpha: { type: 'float', value: 1 } });
    expect(model.graph.nodes[0]!.name).toBe('fc1');
    expect(values(model.graph.initializers.get('W1')!)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map(Math.fround));
    expect(values(model.graph.initializers.get('W2')!)).toEqual([Math.PI, Math.E, -1]);
    expect(model.graph.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 2] }]);
    expect(model.graph.outputs).toEqual([{ name: 'y', dtype: 'float64', shape: ['batch', 1] }]);
  });

  it.each(['mlp.onnx', 'cnn.onnx', 'typed_fields.onnx'])('re-encodes %s read from PyTorch/onnx into an equal model', (file) => {
    const original = readOnnx(fixture(file));
    const again = readOnnx(writeOnnx(original));
    expect(again.graph.nodes).toEqual(original.graph.nodes);
    expect(again.graph.inputs).toEqual(original.graph.inputs);
    expect(again.graph.outputs).toEqual(original.graph.outputs);
    expect([...again.graph.initializers]).toEqual([...original.graph.initializers]);
    expect(again.opsetImports).toEqual(original.opsetImports);
  });

  it('round-trips every attribute type', () => {
    const attributes = {
      f: { type: 'float' as const, value: 0.25 },
      i: { type: 'int' as const, value: -(2 ** 40) },
      s: { type: 'string' as const, value: 'NOTSET é' },
      t: { type: 'tensor' as const, value: { dtype: 'int64' as const, shape: [2], data: BigInt64Array.from([-1n, 2n ** 62n]) } },
      fs: { type: 'floats' as const, value: [0.5, -1] },
      is: { type: 'ints' as const, value: [1, 2, 9007199254740991] },
      ss: { type: 'strings' as const, value: ['a', ''] },
    };
    const bytes = writeOnnx({ graph: { nodes: [{ opType: 'Custom', domain: 'x', inputs: ['a'], outputs: ['b'], attributes }], inputs: [{ name: 'a', dtype: null, shape: null }], outputs: [{ name: 'b', dtype: null, shape: null }] } });
    const node = readOnnx(bytes).graph.nodes[0]!;
    expect(node.attributes).toEqual(attributes);
    expect(node.domain).toBe('x');
  });

  it('checks the description', () => {
    const broken = (nodes: OnnxModelDescription['graph']['nodes']) => () => writeOnnx({ graph: { ...mlp.graph, nodes } });
    expect(broken([{ opType: 'Relu', inputs: ['nowhere'], outputs: ['y'] }])).toThrow(/node "0"\.input: "nowhere" is not a graph input/);
    expect(broken([{ opType: 'Relu', inputs: ['x'], outputs: ['z'] }])).toThrow(/graph\.output: "y" is produced by no node/);
    expect(broken([{ opType: 'Flatten', inputs: ['x'], outputs: ['y'], attributes: { axis: { type: 'int', value: 1.5 } } }])).toThrow(InvalidModelError);
    const initializers = new Map(mlp.graph.initializers as Map<string, { dtype: 'float32'; shape: number[]; data: number[] }>);
    initializers.set('W1', { dtype: 'float32', shape: [2], data: [1] });
    expect(() => writeOnnx({ graph: { ...mlp.graph, initializers } })).toThrow(/W1\.data: shape \[2\] needs 2 elements/);
  });
});

describe('readOnnx rejects malformed models with typed errors', () => {
  const model = (tensor: Parameters<typeof create<typeof TensorProtoSchema>>[1]) =>
    toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph: create(GraphProtoSchema, { initializer: [create(TensorProtoSchema, tensor)] }) }));

  it('not a protobuf, or no graph', () => {
    expect(() => readOnnx(new Uint8Array([0xff, 0xff, 0xff]), { name: 'x.onnx' })).toThrow(/io: onnx: x\.onnx: ModelProto: /);
    expect(() => readOnnx(new Uint8Array(0))).toThrow(/graph: ModelProto has no graph/);
  });

  it('raw_data or typed data that disagrees with dims', () => {
    expect(() => readOnnx(model({ name: 'w', dataType: 1, dims: [3n], rawData: new Uint8Array(8) }))).toThrow(/initializer "w"\.raw_data: 8 bytes, dims \[3\] of float32 need 12/);
    expect(() => readOnnx(model({ name: 'w', dataType: 1, dims: [3n], floatData: [1, 2] }))).toThrow(/initializer "w"\.float_data: 2 values, dims \[3\] need 3/);
    expect(() => readOnnx(model({ name: 'w', dataType: 3, dims: [1n], int32Data: [300] }))).toThrow(/value 300 out of range for int8/);
    expect(() => readOnnx(model({ name: 'w', dataType: 1, dims: [-1n] }))).toThrow(MalformedHeaderError);
    expect(() => readOnnx(model({ name: 's', dataType: 8, dims: [1n] }))).toThrow(UnsupportedDtypeError);
  });

  it('external data: missing, out of range, bad offset', () => {
    const external = (entries: Record<string, string>) =>
      model({ name: 'w', dataType: 1, dims: [2n], dataLocation: 1, externalData: Object.entries(entries).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })) });
    const data = new Uint8Array(12);
    expect(() => readOnnx(external({ location: 'w.bin' }))).toThrow(ExternalDataError);
    expect(readOnnx(external({ location: 'w.bin', offset: '4' }), { externalData: { 'w.bin': data } }).graph.initializers.get('w')!.data.length).toBe(2);
    expect(() => readOnnx(external({ location: 'w.bin', offset: '8' }), { externalData: { 'w.bin': data } })).toThrow(/range \[8, 16\) beyond its 12 bytes/);
    expect(() => readOnnx(external({ location: 'w.bin', offset: '-1' }), { externalData: { 'w.bin': data } })).toThrow(/offset "-1" is not a non-negative integer/);
    expect(() => readOnnx(external({ location: 'w.bin', length: '4' }), { externalData: new Map([['w.bin', data]]) })).toThrow(/length 4 != 2 elements x 4 bytes/);
    expect(() => readOnnx(external({ offset: '0' }))).toThrow(IoError);
  });
});
