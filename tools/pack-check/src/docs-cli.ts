#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { generateDocs } from './docs.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out) : undefined;
const r = await generateDocs({ out });
console.log(`docs: ${r.packages.length} packages (${r.packages.join(', ')}) -> ${r.out}: ${r.errors} errors, ${r.warnings} warnings`);
process.exitCode = r.errors ? 1 : 0;
