#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { checkChangesets, formatReport } from './check.js';

const USAGE = `usage: changeset-check [--base <ref>] [--root <repo>] [--json]

Every public workspace package with user-facing changes since the base must be named by a
changeset in .changeset/. Base: --base, else env CHANGESET_BASE, else the merge base of HEAD with
origin/<baseBranch> (or <baseBranch>), else the first commit. Changes are compared against the
working tree, so uncommitted and untracked files count too. Exit 0 ok, 1 missing, 2 usage/git error.`;

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        base: { type: 'string' },
        root: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    console.error(`changeset-check: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const r = checkChangesets({ base: values.base, root: values.root ?? process.env.INIT_CWD });
    console.log(values.json ? JSON.stringify(r, null, 2) : formatReport(r));
    return r.ok ? 0 : 1;
  } catch (e) {
    console.error(`changeset-check: ${(e as Error).message}`);
    return 2;
  }
}

process.exitCode = main();
