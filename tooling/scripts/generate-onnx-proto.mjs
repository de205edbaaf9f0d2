#!/usr/bin/env node
/**
 * Generates packages/io/src/generated/onnx_pb.ts from tooling/proto/onnx.proto with buf and
 * protoc-gen-es, both root devDependencies. protoc-gen-es runs as a local plugin, so nothing
 * is fetched from the network.
 *
 * Usage: node tooling/scripts/generate-onnx-proto.mjs            (writes the file)
 *        node tooling/scripts/generate-onnx-proto.mjs --check    (exit 1 if the committed file differs)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROTO_DIR = join(ROOT, 'tooling/proto');
const TARGET = join(ROOT, 'packages/io/src/generated/onnx_pb.ts');

const HEADER = `// Generated from tooling/proto/onnx.proto (ONNX 1.12.0, Apache-2.0) by
// tooling/scripts/generate-onnx-proto.mjs. Do not edit: change the .proto and run
// \`node tooling/scripts/generate-onnx-proto.mjs\` (\`--check\` verifies this file).
`;

const require = createRequire(join(ROOT, 'package.json'));
// Both through node, so the same command works where .bin shims are shell scripts or .cmd files.
const bufBin = join(dirname(require.resolve('@bufbuild/buf/package.json')), 'bin/buf');
const protocGenEsBin = join(dirname(require.resolve('@bufbuild/protoc-gen-es/package.json')), 'bin/protoc-gen-es');

/** Runs the generator into a temporary folder and returns the file's text, header included. */
export function generateOnnxProto() {
  const out = mkdtempSync(join(tmpdir(), 'onnx-proto-'));
  try {
    const template = {
      version: 'v2',
      plugins: [{ local: [process.execPath, protocGenEsBin], out, opt: ['target=ts', 'import_extension=js'] }],
    };
    const result = spawnSync(process.execPath, [bufBin, 'generate', PROTO_DIR, '--template', JSON.stringify(template)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`buf generate failed (status ${result.status}): ${result.stderr}`);
    return HEADER + readFileSync(join(out, 'onnx_pb.ts'), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const generated = generateOnnxProto();
  if (process.argv.includes('--check')) {
    if (readFileSync(TARGET, 'utf8') !== generated) {
      console.error('packages/io/src/generated/onnx_pb.ts differs from what tooling/proto/onnx.proto generates: run node tooling/scripts/generate-onnx-proto.mjs');
      process.exit(1);
    }
    console.log('packages/io/src/generated/onnx_pb.ts is up to date');
  } else {
    writeFileSync(TARGET, generated);
    console.log('wrote packages/io/src/generated/onnx_pb.ts');
  }
}
