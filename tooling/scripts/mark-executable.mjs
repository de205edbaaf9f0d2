#!/usr/bin/env node
// Makes a built bin file executable (tsc does not keep modes).
import { chmodSync } from 'node:fs';

for (const file of process.argv.slice(2)) chmodSync(file, 0o755);
