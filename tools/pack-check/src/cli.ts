#!/usr/bin/env node
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanup, packCheck } from './check.js';
import { runExample } from './example.js';
import { packPackages } from './pack.js';
import { publicPackages, workspaceRoot } from './workspace.js';

const USAGE = `usage: pack-check [--example] [--keep]

Packs every public @convkit package (pnpm pack), checks its manifest and tarball, installs the
tarballs offline with npm into a temp project, imports them and runs conv2d/conv1d from
@convkit/core + @convkit/backend-js against hand-computed values. Run \`pnpm build\` first.
  --example  also run examples/third-party-backend against the tarballs (npm, conformance CLI)
  --keep     keep the temp directory`;

const { values } = parseArgs({
  options: {
    example: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const log = (l: string) => console.log(l);
const workDir = mkdtempSync(join(tmpdir(), 'convkit-pack-check-'));
let ok = false;
try {
  const r = packCheck({ workDir, log });
  ok = r.ok;
  if (values.example) {
    const root = workspaceRoot();
    const ex = runExample(root, r.packed.length ? r.packed : packPackages(root, publicPackages(root), join(workDir, 'tarballs')), join(workDir, 'example'), log);
    console.log(ex.output.trimEnd());
    console.log(`example: convkit-conformance exited ${ex.status}`);
    ok = ok && ex.status === 0;
  }
} catch (e) {
  console.error(`pack-check: ${(e as Error).message}`);
  ok = false;
} finally {
  if (values.keep) console.log(`pack-check: kept ${workDir}`);
  else cleanup(workDir);
}
console.log(`pack-check: ${ok ? 'passed' : 'FAILED'}`);
process.exitCode = ok ? 0 : 1;
