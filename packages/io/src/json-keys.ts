/**
 * `JSON.parse` keeps the last of repeated keys silently; readers that must refuse them (as
 * the safetensors reference does) scan the text for them with this.
 */

/** A key repeated inside one JSON object, with the path of that object (`""` for the top level). */
export interface DuplicateKey {
  readonly path: string;
  readonly key: string;
}

/**
 * The first key repeated within one object, at any depth, of a text that `JSON.parse`
 * accepted (it is not validated again); `undefined` when there is none.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  let position = 0;
  const skipSpace = (): void => {
    while (position < text.length && (text[position] === ' ' || text[position] === '\t' || text[position] === '\n' || text[position] === '\r')) position++;
  };
  const readString = (): string => {
    const start = position;
    position++;
    while (text[position] !== '"') position += text[position] === '\\' ? 2 : 1;
    position++;
    return JSON.parse(text.slice(start, position)) as string;
  };
  // an explicit stack, so that deep nesting cannot overflow the call stack
  const stack: { keys: Set<string> | null; path: string }[] = [];
  let found: DuplicateKey | undefined;
  const scanValue = (path: string): void => {
    skipSpace();
    const char = text[position];
    if (char === '{') {
      position++;
      stack.push({ keys: new Set(), path });
    } else if (char === '[') {
      position++;
      stack.push({ keys: null, path });
    } else if (char === '"') {
      readString();
    } else {
      while (position < text.length && !',]} \t\n\r'.includes(text[position]!)) position++;
    }
  };
  scanValue('');
  while (stack.length > 0 && found === undefined) {
    const top = stack[stack.length - 1]!;
    skipSpace();
    const char = text[position];
    if (char === '}' || char === ']') {
      position++;
      stack.pop();
      continue;
    }
    if (char === ',') {
      position++;
      skipSpace();
    }
    if (top.keys === null) {
      scanValue(top.path);
      continue;
    }
    const key = readString();
    if (top.keys.has(key)) {
      found = { path: top.path, key };
      break;
    }
    top.keys.add(key);
    skipSpace();
    position++; // ':'
    scanValue(top.path === '' ? key : `${top.path}.${key}`);
  }
  return found;
}
