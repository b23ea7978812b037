#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { CreateBackendError, createBackend } from './create.js';

const USAGE = `usage: create-backend <name> [--dir <path>] [--root <workspace>] [--force] [--no-changeset]

Scaffolds packages/backend-<name>: a convkit backend made by defineBackend from a runtime with
working Float32Array storage (src/runtime.ts) and an empty kernel table (src/kernels.ts), one
src/ops/<op>.ts per op of core (each throwing NotImplementedError), the three-line conformance
test and a README. From the repository root: pnpm create-backend <name>.`;

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        root: { type: 'string' },
        force: { type: 'boolean', default: false },
        'no-changeset': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    console.error(`create-backend: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`create-backend: expected one backend name, got ${positionals.length}\n\n${USAGE}`);
    return 2;
  }
  // pnpm runs package scripts in the package directory; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  try {
    const r = createBackend({
      name: positionals[0]!,
      dir: values.dir,
      root: values.root,
      cwd,
      force: values.force,
      changeset: values['no-changeset'] ? false : undefined,
    });
    const rel = relative(cwd, r.dir) || '.';
    console.log(`created ${r.pkgName} in ${rel}:`);
    for (const f of r.files) console.log(`  ${f}`);
    console.log(`
next:
  pnpm install                                   # link the new package into the workspace
  pnpm --filter ${r.pkgName} build
  pnpm --filter ${r.pkgName} conformance         # every op: not implemented
  then follow CONTRIBUTING.md: write src/ops/relu.ts, uncomment 'relu,' in src/kernels.ts, run conformance again.`);
    return 0;
  } catch (e) {
    if (e instanceof CreateBackendError) {
      console.error(`create-backend: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

// `pnpm run create -- <name> --dir x` hands the script a literal '--' first: drop it so options still parse.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
process.exitCode = main(argv);
