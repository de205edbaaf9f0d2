/**
 * packages/io/src/generated/onnx_pb.ts is exactly what tooling/proto/onnx.proto generates
 * (tooling/scripts/generate-onnx-proto.mjs --check: buf with the local protoc-gen-es, no network).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './workspace.js';

describe('generated ONNX schema', () => {
  it('the committed onnx_pb.ts matches the generator output', () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'tooling/scripts/generate-onnx-proto.mjs'), '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('is up to date');
  });
});
