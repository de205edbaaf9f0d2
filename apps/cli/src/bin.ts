#!/usr/bin/env node
import { runCommandLine } from './supervisor.js';

process.exitCode = await runCommandLine(process.argv.slice(2));
