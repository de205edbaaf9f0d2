/**
 * A restricted pickle virtual machine: it builds Python values (None, bools, ints, floats,
 * strings, bytes, lists, tuples, dicts, sets) from the opcodes of protocols 0 to 5 and executes
 * nothing. Every opcode that would import or call something (GLOBAL, STACK_GLOBAL, INST, OBJ,
 * REDUCE, NEWOBJ, BUILD, persistent ids) is handed to the caller's {@link PickleHooks}, which
 * decide what a name means and refuse the rest; extension codes (EXT1/2/4, names from
 * `copyreg`'s registry) and out-of-band buffers are refused outright.
 *
 * Integers are JavaScript numbers when safe (|n| <= 2^53 - 1), else bigints; a Python int and
 * a float of the same value are not told apart once read.
 */
import { type ReadContext, latin1 } from './context.js';
import { UnsafePickleError } from './errors.js';

/** A Python tuple (lists are JavaScript arrays). */
export class PickleTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python dict (or `OrderedDict`) in insertion order; keys compare as JavaScript values. */
export class PickleDict {
  readonly entries = new Map<unknown, unknown>();
}

/** A Python set or frozenset. */
export class PickleSet {
  readonly items: unknown[] = [];
}

/** What the caller decides: names, calls, state and persistent ids. Each may throw to refuse. */
export interface PickleHooks {
  /** The object `module.name` stands for (GLOBAL, STACK_GLOBAL, INST). */
  global(module: string, name: string): unknown;
  /** `callable(*args)` (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ). */
  call(callable: unknown, args: PickleTuple): unknown;
  /** `target.__setstate__(state)` (BUILD); returns the object that replaces the target. */
  build(target: unknown, state: unknown): unknown;
  /** The object a persistent id stands for (PERSID, BINPERSID). */
  persistentLoad(pid: unknown): unknown;
}

/** A pickle's value and where its STOP opcode ended (several pickles may follow one another). */
export interface Unpickled {
  readonly value: unknown;
  readonly end: number;
}

/** Longest LONG1/LONG4 integer read, in bytes (torch writes at most 10; Python allows any). */
const MAX_LONG_BYTES = 64;

/** A signed little-endian two's-complement integer of `bytes`. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return normaliseInt(value);
}

function normaliseInt(value: bigint): number | bigint {
  return value >= -BigInt(Number.MAX_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs the pickle that starts at `offset` of `bytes` until its STOP opcode.
 *
 * @throws TruncatedFileError when the bytes end before STOP; MalformedHeaderError for unknown
 * opcodes, stack or memo misuse and invalid UTF-8; UnsupportedFeatureError for text-protocol
 * string opcodes and huge integers; UnsafePickleError for extension codes and out-of-band
 * buffers; whatever the hooks throw.
 */
export function unpickle(bytes: Uint8Array, offset: number, hooks: PickleHooks, context: ReadContext, field: string): Unpickled {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let position = offset;
  let opcodeAt = offset;

  const where = (): string => `${field} at byte ${opcodeAt}`;
  const malformed = (reason: string): Error => context.malformed(where(), reason);
  const take = (length: number): Uint8Array => {
    context.need(where(), position + length, bytes.length);
    const chunk = bytes.subarray(position, position + length);
    position += length;
    return chunk;
  };
  const u8 = (): number => take(1)[0]!;
  const u16 = (): number => {
    take(2);
    return view.getUint16(position - 2, true);
  };
  const u32 = (): number => {
    take(4);
    return view.getUint32(position - 4, true);
  };
  const u64 = (): number => {
    take(8);
    const value = view.getBigUint64(position - 8, true);
    // the length is checked against the bytes left by take(): anything beyond them is truncation
    return value > BigInt(bytes.length) ? bytes.length + 1 : Number(value);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) throw context.truncated(where(), bytes.length + 1, bytes.length);
    const text = latin1(bytes.subarray(position, end));
    position = end + 1;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  const text = (chunk: Uint8Array): string => {
    try {
      return utf8.decode(chunk);
    } catch {
      throw malformed('string is not valid UTF-8');
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) throw malformed('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) throw malformed('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) throw malformed('no MARK to pop to');
    return stack.splice(mark);
  };
  const get = (index: number): unknown => {
    if (!memo.has(index)) throw malformed(`memo index ${index} was never stored`);
    return memo.get(index);
  };
  const put = (index: number): void => {
    memo.set(index, top());
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof PickleDict)) throw malformed('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) throw malformed('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.entries.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) throw malformed('APPEND(S) on something that is not a list');
    for (const item of items) target.push(item);
  };
  const integerLine = (): number | bigint | boolean => {
    const digits = line().replace(/L$/, '');
    // protocol 0 spells False and True as INT 00 and 01
    if (digits === '00') return false;
    if (digits === '01') return true;
    if (!/^[+-]?\d{1,40}$/.test(digits)) throw malformed(`not an integer: ${JSON.stringify(digits.slice(0, 40))}`);
    return normaliseInt(BigInt(digits));
  };
  const memoIndex = (): number => {
    const digits = line();
    if (!/^\d{1,10}$/.test(digits)) throw malformed(`bad memo index ${JSON.stringify(digits.slice(0, 20))}`);
    return Number(digits);
  };

  for (;;) {
    opcodeAt = position;
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) throw context.unsupported(where(), 'pickle protocol above 5');
        break;
      case 0x95: // FRAME: framing is only a hint for buffered readers
        u64();
        break;
      case 0x2e: // STOP
        if (marks.length > 0) throw malformed('STOP inside a MARK');
        if (stack.length !== 1) throw malformed(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: position };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        take(4);
        stack.push(view.getInt32(position - 4, true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4
        const length = opcode === 0x8a ? u8() : u32();
        if (length > MAX_LONG_BYTES) throw context.unsupported(where(), `an integer of ${length} bytes`);
        stack.push(decodeLong(take(length)));
        break;
      }
      case 0x49: // INT
        stack.push(integerLine());
        break;
      case 0x4c: // LONG
        stack.push(integerLine());
        break;
      case 0x47: // BINFLOAT (big-endian)
        take(8);
        stack.push(view.getFloat64(position - 8, false));
        break;
      case 0x46: {
        // FLOAT
        const literal = line();
        const value = Number(literal);
        if (literal.trim() === '' || (Number.isNaN(value) && !/^[+-]?nan$/i.test(literal))) throw malformed(`not a float: ${JSON.stringify(literal.slice(0, 40))}`);
        stack.push(/^[+-]?nan$/i.test(literal) ? Number.NaN : value);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(take(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str, read as Latin-1)
        stack.push(latin1(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x53: // STRING
      case 0x56: // UNICODE
        throw context.unsupported(where(), 'text-protocol string opcodes (pickle protocol 0)');
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PickleTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const second = pop();
        stack.push(new PickleTuple([pop(), second]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const third = pop();
        const second = pop();
        stack.push(new PickleTuple([pop(), second, third]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x64: {
        // DICT
        const dict = new PickleDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PickleSet());
        break;
      case 0x91: {
        // FROZENSET
        const set = new PickleSet();
        for (const item of popMark()) set.items.push(item);
        stack.push(set);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const target = top();
        if (!(target instanceof PickleSet)) throw malformed('ADDITEMS on something that is not a set');
        for (const item of items) target.items.push(item);
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x70: // PUT
        put(memoIndex());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x67: // GET
        stack.push(get(memoIndex()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(hooks.global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw malformed('STACK_GLOBAL needs two strings');
        stack.push(hooks.global(module, name));
        break;
      }
      case 0x69: {
        // INST
        const module = line();
        const callable = hooks.global(module, line());
        stack.push(hooks.call(callable, new PickleTuple(popMark())));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        if (items.length === 0) throw malformed('OBJ without a class');
        stack.push(hooks.call(items[0], new PickleTuple(items.slice(1))));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const callable = pop();
        if (!(args instanceof PickleTuple)) throw malformed(`${opcode === 0x52 ? 'REDUCE' : 'NEWOBJ'} arguments are not a tuple`);
        stack.push(hooks.call(callable, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const callable = pop();
        if (!(args instanceof PickleTuple)) throw malformed('NEWOBJ_EX arguments are not a tuple');
        if (!(kwargs instanceof PickleDict) || kwargs.entries.size > 0) throw malformed('NEWOBJ_EX with keyword arguments');
        stack.push(hooks.call(callable, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        stack.push(hooks.build(pop(), state));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x50: // PERSID
        stack.push(hooks.persistentLoad(line()));
        break;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: {
        // EXT4
        const code = opcode === 0x82 ? u8() : opcode === 0x83 ? u16() : u32();
        throw new UnsafePickleError({ file: context.file, field: where(), found: `extension code ${code}`, why: 'a name from copyreg\'s extension registry' });
      }
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw new UnsafePickleError({ file: context.file, field: where(), found: 'an out-of-band buffer', why: 'data held outside the pickle' });
      default:
        throw malformed(`unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`);
    }
  }
}
