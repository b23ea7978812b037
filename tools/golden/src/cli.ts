#!/usr/bin/env node
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGolden, writeGolden } from './generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'packages', 'conformance', 'golden'));
const t0 = Date.now();
try {
  const r = await buildGolden({ log: (s) => console.log(s) });
  writeGolden(outDir, r);
  const total = r.files.size ? [...r.files.values()].reduce((s, b) => s + b.length, 0) : 0;
  console.log(`wrote ${r.manifest.cases.length} cases, ${r.files.size} bin files (${(total / 1024).toFixed(0)} KiB) to ${outDir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const u of r.unchecked) console.log(`  not cross-checked: ${u.id}: ${u.reason}`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
