/**
 * Every reader against files written by the real tools (PyTorch, numpy, scipy, h5py, onnx),
 * compared exactly with the float32/float64 references the same script recorded.
 */
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  UnsupportedDtypeError,
  detectFormat,
  readHdf5,
  readMat,
  readMatV5,
  readNpy,
  readNpz,
  readOnnx,
  readSafetensors,
  toFloat64,
} from '../src/index.js';
import { readOnnxFile, readTensors } from '../src/node.js';
import { FIXTURES, type JsonArray, expectExact, fixture, reference, values, values as valuesOf, weights } from './helpers.js';

const MLP_KEYS = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'];
const CNN_FLOAT_KEYS = ['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'fc.weight', 'fc.bias'];

function expectMlpWeights(tensors: ReadonlyMap<string, Tensor>, dtype: string): void {
  for (const key of MLP_KEYS) {
    expect(tensors.get(key)?.dtype, key).toBe(dtype);
    expectExact(tensors.get(key), weights.mlp[key]!);
  }
}

function expectCnnWeights(tensors: ReadonlyMap<string, Tensor>, dtype: string): void {
  for (const key of CNN_FLOAT_KEYS) {
    expect(tensors.get(key)?.dtype, key).toBe(dtype);
    expectExact(tensors.get(key), weights.cnn[key]!);
  }
}

describe('safetensors written by make_fixtures.py', () => {
  it('reads the MLP and CNN state dicts exactly (float32, and float64 copies)', () => {
    const mlp = readSafetensors(fixture('mlp.safetensors'), 'mlp.safetensors');
    expect([...mlp.tensors.keys()]).toEqual(MLP_KEYS);
    expect(mlp.metadata).toEqual({ format: 'pt', network: 'mlp' });
    expectMlpWeights(mlp.tensors, 'float32');
    expectMlpWeights(readSafetensors(fixture('mlp_float64.safetensors')).tensors, 'float64');
    const cnn = readSafetensors(fixture('cnn.safetensors')).tensors;
    expectCnnWeights(cnn, 'float32');
    const batches = cnn.get('bn.num_batches_tracked')!;
    expect(batches.dtype).toBe('int64');
    expect([...batches.shape]).toEqual([]);
    expect(batches.data[0]).toBe(25n);
  });

  it('reads every dtype, including float32/float64 tensors at unaligned offsets', () => {
    const { tensors } = readSafetensors(fixture('dtypes.safetensors'), 'dtypes.safetensors');
    const values = (key: string) => valuesOf(tensors.get(key));
    expect(values('f16')).toEqual([1, -2.5, 65504]);
    expectExact(tensors.get('f32_unaligned'), weights.mlp['fc2.weight']!);
    expectExact(tensors.get('f64_unaligned'), weights.mlp['fc3.weight']!);
    expect(values('u8')).toEqual([0, 1, 255]);
    expect(values('bf16')).toEqual(valuesOf(readNpy(fixture('bf16_as_float32.npy'))));
    expect(values('i8')).toEqual([-128, 0, 127]);
    expect(values('i16')).toEqual([-32768, 32767]);
    expect(values('i32')).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect(values('i64')).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 5n]);
    expect(values('u16')).toEqual([65535]);
    expect(values('u32')).toEqual([4294967295, 7]);
    expect(values('u64')).toEqual([2n ** 64n - 1n, 0n]);
    expect(values('bool')).toEqual([1, 0, 1]);
    expect([...tensors.get('scalar')!.shape]).toEqual([]);
    expect(values('scalar')).toEqual([2.5]);
    expect([...tensors.get('empty')!.shape]).toEqual([0, 4]);
  });
});

describe('npy and npz written by numpy', () => {
  it('reads the reference activations exactly as JSON recorded them (float32 and float64)', () => {
    for (const net of ['mlp', 'cnn'] as const) {
      for (const precision of ['float32', 'float64'] as const) {
        for (const [key, expected] of Object.entries(reference[net][precision])) {
          const tensor = readNpy(fixture(`${net}_${key}_${precision}.npy`));
          expect(tensor.dtype).toBe(precision);
          expectExact(tensor, expected);
        }
      }
      expectExact(readNpy(fixture(`${net}_input.npy`)), reference[net].input);
    }
  });

  it('reads byte orders, Fortran order, 0-d, versions 2 and 3, integer and bool dtypes', () => {
    const w1 = weights.mlp['fc1.weight']!;
    for (const name of ['npy_big_endian_f8', 'npy_big_endian_f4', 'npy_fortran_f8', 'npy_v2_f8', 'npy_v3_f4', 'mlp_fc1_weight_float32', 'mlp_fc1_weight_float64']) {
      expectExact(readNpy(fixture(`${name}.npy`), name), w1);
    }
    expectExact(readNpy(fixture('npy_fortran_3d_f4.npy')), weights.cnn['conv.weight']!);
    expectExact(readNpy(fixture('cnn_conv_weight_float32.npy')), weights.cnn['conv.weight']!);
    const scalar = readNpy(fixture('npy_scalar_f8.npy'));
    expect([...scalar.shape]).toEqual([]);
    expect(scalar.data[0]).toBe(Math.PI);
    const int64 = readNpy(fixture('npy_int64.npy'));
    expect(Array.from(int64.data as BigInt64Array)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i - 6) * 1_000_000_007n));
    expect(values(readNpy(fixture('npy_uint8.npy')))).toEqual([250, 251, 252, 253, 254, 255]);
    expect(values(readNpy(fixture('npy_int16_be.npy')))).toEqual([-32768, 32767, 1, -2]);
    expect(values(readNpy(fixture('npy_bool.npy')))).toEqual([1, 0, 1, 1]);
    expect(values(readNpy(fixture('npy_float16.npy')))).toEqual([1, -2.5, 65504, 1023 * 2 ** -24, 0]); // np.float16(6.1e-5) is subnormal
    expect([...readNpy(fixture('npy_empty.npy')).shape]).toEqual([0, 3]);
  });

  it('rejects object arrays and structured dtypes with UnsupportedDtypeError', () => {
    expect(() => readNpy(fixture('npy_object.npy'), 'npy_object.npy')).toThrow(UnsupportedDtypeError);
    expect(() => readNpy(fixture('npy_structured.npy'), 'npy_structured.npy')).toThrow(/descr: unsupported dtype structured/);
  });

  it('reads np.savez (stored), np.savez_compressed (deflated) and mixed archives', () => {
    expectMlpWeights(readNpz(fixture('mlp_float32.npz')), 'float32');
    expectMlpWeights(readNpz(fixture('mlp_float64_compressed.npz')), 'float64');
    expectMlpWeights(readNpz(fixture('npz_mixed_methods.npz')), 'float32');
    expectCnnWeights(readNpz(fixture('cnn_float32.npz')), 'float32');
    expectCnnWeights(readNpz(fixture('cnn_float64_compressed.npz')), 'float64');
  });
});

/** y = x W^T + b, row by row, in float64. */
function linear(x: Float64Array, rows: number, w: Tensor, b: Tensor): Float64Array {
  const [out, inp] = w.shape as [number, number];
  const wd = toFloat64(w);
  const bd = toFloat64(b);
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let sum = 0;
      for (let i = 0; i < inp; i++) sum += x[r * inp + i]! * wd[o * inp + i]!;
      y[r * out + o] = sum + bd[o]!;
    }
  }
  return y;
}

function expectClose(actual: Float64Array, expected: JsonArray, relative: number): void {
  expect(actual.length).toBe(expected.data.length);
  const scale = Math.max(...expected.data.map(Math.abs));
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i]! - expected.data[i]!)).toBeLessThanOrEqual(relative * scale);
}

describe('ONNX exported by torch.onnx.export (opset 17)', () => {
  it('reads the MLP graph and initializers; a float64 forward pass matches PyTorch float64', () => {
    const model = readOnnx(fixture('mlp.onnx'), { name: 'mlp.onnx' });
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.producerName).toBe('pytorch');
    expect(model.graph.nodes.map((node) => node.opType)).toEqual(['Gemm', 'Tanh', 'Gemm', 'Tanh', 'Gemm']);
    expect(model.graph.nodes[0]!.attributes).toEqual({
      alpha: { type: 'float', value: 1 },
      beta: { type: 'float', value: 1 },
      transB: { type: 'int', value: 1 },
    });
    expect(model.graph.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 16] }]);
    expect(model.graph.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 4] }]);
    expectMlpWeights(model.graph.initializers, 'float32');
    // follow the graph: Gemm(transB=1) and Tanh, in float64
    const init = model.graph.initializers;
    const x = Float64Array.from(reference.mlp.input.data);
    const z1 = linear(x, 5, init.get('fc1.weight')!, init.get('fc1.bias')!);
    const z2 = linear(z1.map(Math.tanh), 5, init.get('fc2.weight')!, init.get('fc2.bias')!);
    const y = linear(z2.map(Math.tanh), 5, init.get('fc3.weight')!, init.get('fc3.bias')!);
    // torch's float64 matmul sums in another order: agreement to a few ulps of the largest value
    const tolerance = 16 * 16 * Number.EPSILON;
    expectClose(z1, reference.mlp.float64.z1!, tolerance);
    expectClose(z2, reference.mlp.float64.z2!, tolerance);
    expectClose(y, reference.mlp.float64.output!, tolerance);
  });

  it('reads the CNN graph: Conv, Relu, BatchNormalization, Flatten, Gemm', () => {
    const model = readOnnx(fixture('cnn.onnx'));
    expect(model.graph.nodes.map((node) => node.opType)).toEqual(['Conv', 'Relu', 'BatchNormalization', 'Flatten', 'Gemm']);
    const convNode = model.graph.nodes[0]!;
    expect(convNode.inputs).toEqual(['input', 'conv.weight', 'conv.bias']);
    expect(convNode.attributes.kernel_shape).toEqual({ type: 'ints', value: [5] });
    expect(convNode.attributes.pads).toEqual({ type: 'ints', value: [2, 2] });
    expect(model.graph.nodes[2]!.attributes.epsilon).toEqual({ type: 'float', value: Math.fround(1e-5) });
    expect(model.graph.nodes[3]!.attributes.axis).toEqual({ type: 'int', value: 1 });
    expectCnnWeights(model.graph.initializers, 'float32');
    // follow the graph in float64: Conv (pads 2, stride 1), Relu, BatchNormalization (epsilon), Flatten, Gemm
    const init = model.graph.initializers;
    const w = toFloat64(init.get('conv.weight')!);
    const bias = toFloat64(init.get('conv.bias')!);
    const [gamma, beta, mean, variance] = ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'].map((key) => toFloat64(init.get(key)!));
    // ONNX keeps epsilon as a float32 (fround(1e-5)); PyTorch's float64 copy used the double 1e-5, and the
    // difference (2.5e-13) would show at 1e-12 relative: take PyTorch's value for the float64 reference
    expect((model.graph.nodes[2]!.attributes.epsilon as { value: number }).value).toBe(Math.fround(1e-5));
    const epsilon = 1e-5;
    const x = reference.cnn.input.data;
    const batch = 4;
    const conv = new Float64Array(batch * 6 * 16);
    const bn = new Float64Array(batch * 6 * 16);
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < 6; o++) {
        for (let t = 0; t < 16; t++) {
          let sum = bias[o]!;
          for (let c = 0; c < 2; c++) {
            for (let k = 0; k < 5; k++) {
              const source = t + k - 2;
              if (source >= 0 && source < 16) sum += w[(o * 2 + c) * 5 + k]! * x[(b * 2 + c) * 16 + source]!;
            }
          }
          const index = (b * 6 + o) * 16 + t;
          conv[index] = sum;
          bn[index] = ((Math.max(sum, 0) - mean![o]!) / Math.sqrt(variance![o]! + epsilon)) * gamma![o]! + beta![o]!;
        }
      }
    }
    const y = linear(bn, batch, init.get('fc.weight')!, init.get('fc.bias')!);
    const tolerance = 64 * 16 * Number.EPSILON;
    expectClose(conv, reference.cnn.float64.conv!, tolerance);
    expectClose(bn, reference.cnn.float64.bn!, tolerance);
    expectClose(y, reference.cnn.float64.output!, tolerance);
  });

  it('reads external data (onnx.save_model with save_as_external_data) from the model folder', async () => {
    const model = await readOnnxFile(`${FIXTURES}mlp_external.onnx`);
    expectMlpWeights(model.graph.initializers, 'float32');
    expect(() => readOnnx(fixture('mlp_external.onnx'), { name: 'mlp_external.onnx' })).toThrow(
      /initializer "fc1.weight".external_data.location: external data "mlp_external.onnx.data": not provided/,
    );
  });

  it('reads typed data fields: float_data, double_data, int32_data (int32, int8, float16 bits), int64_data', () => {
    const init = readOnnx(fixture('typed_fields.onnx')).graph.initializers;
    expectExact(init.get('w_float'), weights.mlp['fc3.weight']!);
    expectExact(init.get('b_double'), weights.mlp['fc3.bias']!);
    expect(init.get('b_double')!.dtype).toBe('float64');
    expect(Array.from(init.get('i64')!.data as BigInt64Array)).toEqual([-(2n ** 62n), 3n, 2n ** 40n, -1n]);
    expect(values(init.get('i32')!)).toEqual([-7, 0, 2 ** 31 - 1]);
    expect(values(init.get('i8')!)).toEqual([-128, 5, 127]);
    expect(values(init.get('f16')!)).toEqual([1.5, -0.25]);
    expect([...init.get('scalar')!.shape]).toEqual([]);
    expect(init.get('scalar')!.data[0]).toBe(Math.E);
  });
});

describe('HDF5 (h5py) and MATLAB (scipy.io.savemat, v7.3 layout)', () => {
  it('reads the Keras-like layout: kernels are the transposed torch weights', async () => {
    const tensors = await readHdf5(fixture('mlp_keras.h5'), 'mlp_keras.h5');
    for (const [layer, torch] of [['dense', 'fc1'], ['dense_1', 'fc2'], ['dense_2', 'fc3']] as const) {
      expectExact(tensors.get(`model_weights/${layer}/${layer}/kernel:0`), weights.mlp[`${torch}.weight`]!, true);
      expectExact(tensors.get(`model_weights/${layer}/${layer}/bias:0`), weights.mlp[`${torch}.bias`]!);
    }
    expect(tensors.size).toBe(6);
  });

  const matFiles = ['mlp_v73.mat', 'mlp_v5.mat', 'mlp_v5_compressed.mat'];
  it.each(matFiles)('%s: MATLAB shapes in row-major order, every class', async (file) => {
    const vars = await readMat(fixture(file), file);
    for (const [name, key] of [['W1', 'fc1'], ['W2', 'fc2'], ['W3', 'fc3']] as const) {
      expect(vars.get(name)!.dtype).toBe('float64');
      expectExact(vars.get(name), weights.mlp[`${key}.weight`]!);
      const bias = weights.mlp[`${key}.bias`]!;
      expectExact(vars.get(`b${name[1]}`), { shape: [bias.shape[0]!, 1], data: bias.data });
    }
    expect(vars.get('W1_single')!.dtype).toBe('float32');
    expectExact(vars.get('W1_single'), weights.mlp['fc1.weight']!);
    expectExact(vars.get('conv'), weights.cnn['conv.weight']!);
    expect(vars.get('counts')!.dtype).toBe('int32');
    expectExact(vars.get('counts'), { shape: [2, 3], data: [0, 1, 2, 3, 4, 5] });
  });

  it('v5 only: uint8, int16, 64-bit extremes and a scalar', () => {
    const vars = readMatV5(fixture('mlp_v5_compressed.mat'));
    expectExact(vars.get('u8'), { shape: [1, 3], data: [0, 200, 255] });
    expectExact(vars.get('i16'), { shape: [2, 1], data: [-3, 4] });
    expect(vars.get('u64')!.data[0]).toBe(2n ** 64n - 1n);
    expect(vars.get('i64')!.data[0]).toBe(-(2n ** 63n));
    expect(vars.get('scalar')!.data[0]).toBe(Math.PI);
  });
});

describe('readTensors', () => {
  const cases: [string, string, number][] = [
    ['mlp.safetensors', 'safetensors', 6],
    ['mlp_fc1_weight_float32.npy', 'npy', 1],
    ['mlp_float32.npz', 'npz', 6],
    ['mlp.onnx', 'onnx', 6],
    ['mlp_external.onnx', 'onnx', 6],
    ['mlp_keras.h5', 'hdf5', 6],
    ['mlp_v73.mat', 'mat', 9],
    ['mlp_v5_compressed.mat', 'mat', 14],
  ];
  it.each(cases)('%s is %s with %i tensors', async (file, format, count) => {
    expect(detectFormat(fixture(file), file)).toBe(format);
    const tensors = await readTensors({ path: FIXTURES + file });
    expect(tensors.size).toBe(count);
    // without the name the magic bytes alone decide (ONNX needs the .onnx extension or a leading field 1)
    expect(detectFormat(fixture(file), 'unnamed')).toBe(format);
  });

  it('names a lone .npy tensor after its file', async () => {
    const tensors = await readTensors({ bytes: fixture('mlp_fc1_weight_float64.npy'), name: 'dir/mlp_fc1_weight_float64.npy' });
    expectExact(tensors.get('mlp_fc1_weight_float64'), weights.mlp['fc1.weight']!);
  });
});
