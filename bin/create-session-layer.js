#!/usr/bin/env node
// Entry point for `npx create-session-layer` and `npm init session-layer`.
import { main } from '../dist/generators/cli.js';

process.exitCode = await main(process.argv.slice(2));
