/**
 * PyTorch checkpoints (`.pt`, `.pth`, `.bin`): what `torch.save` writes, read without executing
 * anything. Two containers:
 *
 * * the zip format (torch >= 1.6): `<folder>/data.pkl` is a pickle of the object, whose tensors
 *   point by persistent id `('storage', StorageType, key, location, numel)` at the raw
 *   little-endian member `<folder>/data/<key>` (a `<folder>/byteorder` member, torch >= 2.1,
 *   may say `big`);
 * * the legacy format (`_use_new_zipfile_serialization=False`): five pickles in a row (magic
 *   number, protocol version 1001, system info, the object, the sorted storage keys), then for
 *   each key an int64 element count and the storage's bytes.
 *
 * The pickle runs on the restricted VM of `pickle.ts` with a whitelist of globals: the dict
 * type `collections.OrderedDict`, the tensor rebuilders `torch._utils._rebuild_tensor_v2`,
 * `_rebuild_tensor`, `_rebuild_parameter`, `_rebuild_parameter_with_state`, and the typed
 * storage classes (`torch.FloatStorage`, ...) as markers of a dtype. Anything else is refused
 * with an `UnsafePickleError` before it could be called.
 *
 * The object is flattened: dict keys and list/tuple indices are joined with `.` (a checkpoint
 * `{'model': state_dict, 'epoch': 3}` gives `model.fc1.weight` and metadata `epoch`), tensors go
 * to `tensors` (row-major copies, whatever the view's offset and strides) and None, bools,
 * numbers and strings to `metadata`; bytes and empty containers are left out. Optimizer state
 * is flattened like the rest (`optimizer.state.0.exp_avg`, `optimizer.param_groups.0.lr`).
 */
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes, utf8Strict } from './context.js';
import { DuplicateKeyError, UnsafePickleError } from './errors.js';
import { PickleDict, type PickleHooks, PickleSet, PickleTuple, unpickle } from './pickle.js';
import { type DType, ELEMENT_SIZE, type Tensor, checkedElementCount, decodeElements, makeTensor } from './tensor.js';
import { type ZipEntry, readZipDirectory } from './zip.js';

/** A non-tensor leaf of a checkpoint (Python None, bool, int, float or str). */
export type PickleScalar = null | boolean | number | bigint | string;

/** A PyTorch checkpoint, flattened. */
export interface PytorchCheckpoint {
  /** Every tensor by dotted path, in pickle order. */
  readonly tensors: Map<string, Tensor>;
  /** Every None, bool, int, float and string by dotted path (ints beyond 2^53 as bigint). */
  readonly metadata: Map<string, PickleScalar>;
  /** The container torch.save wrote. */
  readonly container: 'zip' | 'legacy';
}

/** The dtype of each typed storage class of `torch`. */
const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** The legacy format's first pickle: torch.serialization.MAGIC_NUMBER. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** `\x80 <protocol> \x8a \x0a` and the magic number's ten bytes, little-endian. */
const LEGACY_PREFIX = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19] as const;

/** Whether `bytes` begin like a legacy (non-zip) `torch.save` file. */
export function isLegacyPytorchCheckpoint(bytes: Uint8Array): boolean {
  return bytes[0] === 0x80 && LEGACY_PREFIX.every((byte, i) => bytes[2 + i] === byte);
}

class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: DType,
  ) {}
}

class Rebuilder {
  constructor(readonly name: string) {}
}

/** A storage as a persistent id names it: `count` elements of `dtype` at element `offset` of storage `key`. */
class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly offset: number,
    readonly count: number,
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it: a view of a storage. */
class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
  ) {}
}

const REBUILDERS = new Set(['_rebuild_tensor_v2', '_rebuild_tensor', '_rebuild_parameter', '_rebuild_parameter_with_state']);

/** Why a refused global is refused, in the words a user needs. */
function refusal(module: string, name: string): string {
  if (module === 'torch' && name.endsWith('Storage')) return 'a storage type this reader does not decode (complex, quantized, ...)';
  if (module === 'torch._utils' && name.startsWith('_rebuild_')) return 'a kind of tensor this reader does not decode (quantized, sparse, on a device, ...)';
  if (module === 'torch.storage' && name === '_load_from_bytes') return 'it runs torch.load on bytes nested in the pickle';
  if (module === 'numpy' || module.startsWith('numpy.')) return 'a numpy object; convert arrays to tensors and numbers to Python floats before saving';
  if (module === 'builtins' || module === '__builtin__' || module === 'os' || module === 'posix' || module === 'nt' || module === 'subprocess') {
    return 'a function that can run code or commands';
  }
  return 'a class or function other than the tensor rebuilders, as torch.save(model) writes for the model class';
}

/** A short name of a pickled value's kind, for messages. */
function describe(value: unknown): string {
  if (value instanceof PickleDict) return 'dict';
  if (value instanceof PickleTuple) return 'tuple';
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'None';
  return typeof value === 'object' ? 'object' : typeof value;
}

interface Where {
  readonly context: ReadContext;
  readonly field: string;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function indexList(value: unknown, what: string, where: Where): number[] {
  if (!(value instanceof PickleTuple) || !value.items.every(isIndex)) {
    throw where.context.malformed(where.field, `${what} is not a tuple of non-negative integers`);
  }
  return value.items as number[];
}

/** The hooks of the whitelist; `storage` turns a persistent id into a StorageRef. */
function whitelist(where: Where, storage: (pid: unknown) => StorageRef): PickleHooks {
  const { context, field } = where;
  return {
    global(module, name) {
      if (module === 'collections' && name === 'OrderedDict') return PickleDict;
      if (module === 'torch._utils' && REBUILDERS.has(name)) return new Rebuilder(name);
      if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return new StorageType(name, STORAGE_DTYPES[name]!);
      throw new UnsafePickleError({ file: context.file, field, found: `global ${module}.${name}`, why: refusal(module, name) });
    },
    call(callable, args) {
      if (callable === PickleDict) {
        if (args.items.length === 0) return new PickleDict();
        throw context.malformed(field, 'OrderedDict called with arguments');
      }
      if (!(callable instanceof Rebuilder)) {
        const what = callable instanceof StorageType ? `torch.${callable.name}` : 'a value that is not a function';
        throw new UnsafePickleError({ file: context.file, field, found: `a call of ${what}`, why: 'only the tensor rebuilders and OrderedDict may be called' });
      }
      const [data, offset, shape, strides] = args.items;
      if (callable.name === '_rebuild_parameter' || callable.name === '_rebuild_parameter_with_state') {
        if (!(data instanceof TensorRef)) throw context.malformed(field, `${callable.name} of something that is not a tensor`);
        return data;
      }
      if (args.items.length < 4) throw context.malformed(field, `${callable.name} with ${args.items.length} arguments`);
      if (!(data instanceof StorageRef)) throw context.malformed(field, `${callable.name} of something that is not a storage`);
      if (!isIndex(offset)) throw context.malformed(field, 'storage offset is not a non-negative integer');
      const size = indexList(shape, 'size', where);
      const stride = indexList(strides, 'stride', where);
      if (size.length !== stride.length) throw context.malformed(field, `size has ${size.length} dimensions, stride ${stride.length}`);
      return new TensorRef(data, offset, size, stride);
    },
    build(target, state) {
      // an OrderedDict state_dict carries `_metadata` (module versions) as instance state; a
      // parameter may carry its Python attributes: neither is needed for the values
      if (target instanceof PickleDict || target instanceof TensorRef) return target;
      throw new UnsafePickleError({ file: context.file, field, found: `BUILD with a ${describe(state)} state on a ${describe(target)}`, why: 'it would set the state of an object' });
    },
    persistentLoad: storage,
  };
}

/** `('storage', StorageType, key, location, numel[, view_metadata])` to its parts. */
function parseStorageId(pid: unknown, where: Where): { type: StorageType; key: string; count: number; view: unknown } {
  if (!(pid instanceof PickleTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
    throw where.context.malformed(where.field, "persistent id is not ('storage', type, key, location, numel)");
  }
  const [, type, key, , count, view] = pid.items;
  if (!(type instanceof StorageType)) throw where.context.malformed(where.field, 'persistent id names no storage type');
  if (typeof key !== 'string') throw where.context.malformed(where.field, 'storage key is not a string');
  if (!isIndex(count)) throw where.context.malformed(where.field, `storage ${key}: numel is not a non-negative integer`);
  return { type, key, count, view };
}

/** Storages seen so far, checked to agree on dtype and size. */
class StorageTable {
  readonly byKey = new Map<string, { dtype: DType; count: number }>();

  constructor(private readonly where: Where) {}

  declare(key: string, dtype: DType, count: number): void {
    const known = this.byKey.get(key);
    if (known === undefined) this.byKey.set(key, { dtype, count });
    else if (known.dtype !== dtype || known.count !== count) {
      throw this.where.context.malformed(this.where.field, `storage ${key} declared as ${known.count} x ${known.dtype} and as ${count} x ${dtype}`);
    }
  }
}

/** Deepest nesting of containers flattened (a state_dict is 1 deep, a checkpoint 4 or 5). */
const MAX_DEPTH = 1000;

/** The object tree flattened to dotted paths (see the module comment). */
function flatten(root: unknown, where: Where, visitLimit: number): { tensors: Map<string, TensorRef>; metadata: Map<string, PickleScalar> } {
  const tensors = new Map<string, TensorRef>();
  const metadata = new Map<string, PickleScalar>();
  const open = new Set<unknown>();
  let visits = 0;
  const claim = (path: string): void => {
    if (tensors.has(path) || metadata.has(path)) throw new DuplicateKeyError({ format: 'pytorch', file: where.context.file, field: where.field, key: path });
  };
  const join = (prefix: string, key: unknown): string => {
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'boolean' && key !== null) {
      throw where.context.unsupported(prefix === '' ? where.field : prefix, 'a dict key that is not a string or number');
    }
    const part = key === null ? 'None' : typeof key === 'boolean' ? (key ? 'True' : 'False') : String(key);
    return prefix === '' ? part : `${prefix}.${part}`;
  };
  const visit = (value: unknown, path: string, depth: number): void => {
    if (++visits > visitLimit) throw where.context.oversized(`${where.field} objects`, visitLimit, visits);
    if (depth > MAX_DEPTH) throw where.context.oversized(`${where.field} nesting depth`, MAX_DEPTH, depth);
    if (value instanceof TensorRef) {
      claim(path === '' ? 'tensor' : path);
      tensors.set(path === '' ? 'tensor' : path, value);
      return;
    }
    if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
      claim(path);
      metadata.set(path, value);
      return;
    }
    if (value instanceof Uint8Array) return;
    const children =
      value instanceof PickleDict
        ? [...value.entries]
        : Array.isArray(value) || value instanceof PickleTuple || value instanceof PickleSet
          ? (Array.isArray(value) ? value : value.items).map((item, index) => [index, item] as const)
          : undefined;
    if (children === undefined) {
      const what = value instanceof StorageRef ? 'a storage outside a tensor' : value instanceof StorageType ? 'a storage class as a value' : 'a function as a value';
      throw where.context.unsupported(path === '' ? where.field : path, what);
    }
    // a pickle can make a list that holds itself
    if (open.has(value)) throw where.context.malformed(path === '' ? where.field : path, 'the object contains itself');
    open.add(value);
    for (const [key, child] of children) visit(child, join(path, key), depth + 1);
    open.delete(value);
  };
  visit(root, '', 0);
  return { tensors, metadata };
}

/** Whether `strides` are the row-major strides of `shape` (dimensions of size 1 may have any). */
function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && strides[axis] !== expected) return false;
    expected *= shape[axis]!;
  }
  return true;
}

/** Copies the strided view `source[sum(index * stride)]` of `shape` into row-major order (count > 0). */
function gather<T extends Float64Array | BigInt64Array | BigUint64Array>(source: T, shape: readonly number[], strides: readonly number[], count: number): T {
  const out = new (source.constructor as new (length: number) => T)(count);
  const rank = shape.length;
  // the last axis in a tight loop; an odometer over the others
  const inner = rank === 0 ? 1 : shape[rank - 1]!;
  const innerStride = rank === 0 ? 0 : strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let at = 0;
  for (let target = 0; target < count; target += inner) {
    for (let j = 0; j < inner; j++) out[target + j] = source[at + j * innerStride]!;
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]!++;
      at += strides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      at -= strides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

/** The raw bytes of the storage with a key. */
type StorageBytes = (key: string) => Uint8Array;

/** Decodes every tensor, checking views against their storages and the whole against the budget. */
function materialise(
  refs: Map<string, TensorRef>,
  storages: StorageTable,
  storageBytes: StorageBytes,
  littleEndian: boolean,
  context: ReadContext,
  budget: MemoryBudget,
): Map<string, Tensor> {
  const plans: { name: string; ref: TensorRef; count: number; span: number }[] = [];
  let decoded = 0;
  for (const [name, ref] of refs) {
    const count = checkedElementCount(ref.shape);
    if (count === undefined) throw context.malformed(`${name}.size`, `[${ref.shape.join(', ')}] has no representable element count`);
    // elements of the storage the view reaches: offset + sum((size - 1) * stride) + 1
    let span = 0;
    if (count > 0) {
      span = 1;
      for (let axis = 0; axis < ref.shape.length; axis++) span += (ref.shape[axis]! - 1) * ref.strides[axis]!;
    }
    const { storage } = ref;
    if (count > 0 && !(storage.offset + ref.offset + span <= storage.count)) {
      throw context.malformed(
        name,
        `view (offset ${ref.offset}, size [${ref.shape.join(', ')}], stride [${ref.strides.join(', ')}]) needs ${ref.offset + span} elements of storage ${storage.key}, which has ${storage.count}`,
      );
    }
    plans.push({ name, ref, count, span });
    decoded += 8 * count;
  }
  budget.check('tensors as float64', decoded);
  const tensors = new Map<string, Tensor>();
  for (const { name, ref, count, span } of plans) {
    const { storage } = ref;
    const bytes = storageBytes(storage.key);
    const size = ELEMENT_SIZE[storage.dtype];
    const total = storages.byKey.get(storage.key)!.count;
    if (bytes.length !== total * size) {
      throw context.malformed(name, `storage ${storage.key} holds ${bytes.length} bytes, ${total} x ${storage.dtype} needs ${total * size}`);
    }
    const start = (storage.offset + ref.offset) * size;
    budget.reserve(`${name} as float64`, 8 * count);
    if (count === 0 || isRowMajor(ref.shape, ref.strides)) {
      tensors.set(name, makeTensor(storage.dtype, [...ref.shape], decodeElements(bytes, start, count, storage.dtype, littleEndian)));
      continue;
    }
    // a strided view: decode the span it reaches, then gather in row-major order
    budget.reserve(`${name} strided source`, 8 * span);
    const source = decodeElements(bytes, start, span, storage.dtype, littleEndian);
    tensors.set(name, makeTensor(storage.dtype, [...ref.shape], gather(source, ref.shape, ref.strides, count)));
    budget.release(8 * span);
  }
  return tensors;
}

function readZipCheckpoint(bytes: Uint8Array, context: ReadContext, budget: MemoryBudget): PytorchCheckpoint {
  const entries = readZipDirectory(bytes, context);
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) {
    if (byName.has(entry.name)) throw context.malformed(entry.name, 'duplicate member');
    byName.set(entry.name, entry);
  }
  const pickles = entries.filter((entry) => /^[^/]+\/data\.pkl$/.test(entry.name));
  if (pickles.length !== 1) {
    throw context.malformed('data.pkl', pickles.length === 0 ? 'no <folder>/data.pkl member: not a PyTorch checkpoint' : `${pickles.length} data.pkl members`);
  }
  const pickleEntry = pickles[0]!;
  const folder = pickleEntry.name.slice(0, -'/data.pkl'.length);
  let littleEndian = true;
  const order = byName.get(`${folder}/byteorder`);
  if (order !== undefined) {
    let text: string;
    try {
      text = utf8Strict.decode(order.read(budget));
    } catch (error) {
      throw context.wrap(order.name, error);
    }
    if (text !== 'little' && text !== 'big') throw context.malformed(order.name, `byte order ${JSON.stringify(text.slice(0, 20))}`);
    littleEndian = text === 'little';
  }
  const where = { context, field: pickleEntry.name };
  const storages = new StorageTable(where);
  const hooks = whitelist(where, (pid) => {
    const { type, key, count } = parseStorageId(pid, where);
    storages.declare(key, type.dtype, count);
    return new StorageRef(key, type.dtype, 0, count);
  });
  const pickle = pickleEntry.read(budget);
  const { value, end } = unpickle(pickle, 0, hooks, context, pickleEntry.name);
  if (end !== pickle.length) throw context.malformed(pickleEntry.name, `${pickle.length - end} bytes after the pickle's STOP`);
  const { tensors: refs, metadata } = flatten(value, where, 16 * pickle.length + 1024);
  const cache = new Map<string, Uint8Array>();
  const storageBytes = (key: string): Uint8Array => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const entry = byName.get(`${folder}/data/${key}`);
    if (entry === undefined) throw context.malformed(`${folder}/data/${key}`, `storage ${key} has no member in the archive`);
    const data = entry.read(budget);
    cache.set(key, data);
    return data;
  };
  const tensors = materialise(refs, storages, storageBytes, littleEndian, context, budget);
  return { tensors, metadata, container: 'zip' };
}

function readLegacyCheckpoint(bytes: Uint8Array, context: ReadContext, budget: MemoryBudget): PytorchCheckpoint {
  const plain = whitelist({ context, field: 'header' }, () => {
    throw context.malformed('header', 'persistent id outside the object pickle');
  });
  const magic = unpickle(bytes, 0, plain, context, 'magic number');
  if (magic.value !== LEGACY_MAGIC) throw context.malformed('magic number', 'not a PyTorch checkpoint');
  const version = unpickle(bytes, magic.end, plain, context, 'protocol version');
  if (version.value !== 1001) throw context.unsupported('protocol version', `legacy protocol version ${String(version.value)}`);
  const info = unpickle(bytes, version.end, plain, context, 'system info');
  let littleEndian = true;
  if (info.value instanceof PickleDict) {
    const flag = info.value.entries.get('little_endian');
    if (flag === false) littleEndian = false;
  }
  const where = { context, field: 'object pickle' };
  const storages = new StorageTable(where);
  const views: StorageRef[] = [];
  const hooks = whitelist(where, (pid) => {
    const { type, key, count, view } = parseStorageId(pid, where);
    storages.declare(key, type.dtype, count);
    if (view === null || view === undefined) return new StorageRef(key, type.dtype, 0, count);
    // (view_key, offset, view_size): a storage view, from torch before 1.0
    if (!(view instanceof PickleTuple) || view.items.length !== 3 || !isIndex(view.items[1]) || !isIndex(view.items[2])) {
      throw context.malformed(where.field, `storage ${key}: view metadata is not (key, offset, size)`);
    }
    const ref = new StorageRef(key, type.dtype, view.items[1], view.items[2]);
    if (ref.offset + ref.count > count) throw context.malformed(where.field, `storage view of ${key} ends beyond its ${count} elements`);
    views.push(ref);
    return ref;
  });
  const object = unpickle(bytes, info.end, hooks, context, 'object pickle');
  const keysPickle = unpickle(bytes, object.end, plain, context, 'storage keys');
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) throw context.malformed('storage keys', 'not a list of strings');
  const { tensors: refs, metadata } = flatten(object.value, where, 16 * (object.end - info.end) + 1024);
  const located = new Map<string, Uint8Array>();
  const sizes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let cursor = keysPickle.end;
  for (const key of keys as string[]) {
    const declared = storages.byKey.get(key);
    if (declared === undefined) throw context.malformed(`storage ${key}`, 'listed but used by no tensor');
    if (located.has(key)) throw context.malformed(`storage ${key}`, 'listed twice');
    context.need(`storage ${key} size`, cursor + 8, bytes.length);
    const count = sizes.getBigInt64(cursor, littleEndian);
    if (count !== BigInt(declared.count)) throw context.malformed(`storage ${key} size`, `${count} elements, the pickle says ${declared.count}`);
    const length = declared.count * ELEMENT_SIZE[declared.dtype];
    context.need(`storage ${key}`, cursor + 8 + length, bytes.length);
    located.set(key, bytes.subarray(cursor + 8, cursor + 8 + length));
    cursor += 8 + length;
  }
  if (cursor !== bytes.length) throw context.malformed('data', `${bytes.length - cursor} bytes after the last storage`);
  for (const key of storages.byKey.keys()) if (!located.has(key)) throw context.malformed(`storage ${key}`, 'used by a tensor but not in the file');
  const tensors = materialise(refs, storages, (key) => located.get(key)!, littleEndian, context, budget);
  return { tensors, metadata, container: 'legacy' };
}

/**
 * Reads a PyTorch checkpoint written by `torch.save` (zip or legacy format) without executing
 * anything: the tensors by dotted path (a state_dict's own keys, `model.fc1.weight` in a nested
 * checkpoint) as row-major copies, whatever the views' offsets and strides (tensors sharing a
 * storage, such as tied weights, each get their own copy); float16/bfloat16 widened exactly,
 * int64 as `BigInt64Array`. None, bools, numbers and strings of the object are in `metadata`.
 * The decoded tensors (8 bytes per element) are checked against `options.memoryBudget` before
 * any is decoded.
 *
 * @throws UnsafePickleError for any global outside the whitelist (a whole model saved with
 * `torch.save(model)`, `os.system`, numpy objects); the zip reader's errors; TruncatedFileError,
 * MalformedHeaderError (a view beyond its storage, missing storages), DuplicateKeyError (two
 * objects flatten to one path), UnsupportedFeatureError, MemoryBudgetError.
 */
export function readPytorchCheckpoint(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): PytorchCheckpoint {
  const bytes = asBytes(input);
  const context = new ReadContext('pytorch', name);
  const budget = MemoryBudget.of(options, 'pytorch', name);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readZipCheckpoint(bytes, context, budget);
  if (bytes[0] === 0x80) return readLegacyCheckpoint(bytes, context, budget);
  context.need('magic bytes', 2, bytes.length);
  throw context.malformed('magic bytes', 'not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save pickle)');
}
