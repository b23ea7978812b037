#!/usr/bin/env node
/**
 * convkit-conformance <package name or path> [--backend NAME] [--filter OP[,OP...]] [--id TEXT]
 *                     [--tolerance ATOL[,RTOL]] [--json FILE] [--verbose]
 * Runs every golden case on the backend, prints a table op by op and exits 1 on any failure.
 */
import { writeFileSync } from 'node:fs';
import { Context } from '@convkit/core';
import { loadBackendModule } from './load.js';
import { listCases, nodeStore } from './node.js';
import { formatTable, runCase, type CaseResult } from './runner.js';
import { DEFAULT_TOLERANCE, type Tolerance } from './tolerance.js';

const USAGE = `usage: convkit-conformance <package name or path> [--backend NAME] [--filter OP[,OP...]] [--id TEXT]
                           [--tolerance ATOL[,RTOL]] [--json FILE] [--verbose]`;

async function main(argv: string[]): Promise<number> {
  let spec: string | undefined;
  let backend: string | undefined;
  let ops: string[] | undefined;
  let id: string | undefined;
  let json: string | undefined;
  let verbose = false;
  let tolerance: Tolerance = DEFAULT_TOLERANCE;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--backend') backend = val();
    else if (a === '--filter') ops = val().split(',');
    else if (a === '--id') id = val();
    else if (a === '--json') json = val();
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--tolerance') {
      const [at, rt] = val().split(',').map(Number);
      tolerance = { atol: at!, rtol: rt ?? at! };
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (spec === undefined) spec = a;
    else throw new Error(`unexpected argument ${a}\n${USAGE}`);
  }
  if (!spec) {
    console.error(USAGE);
    return 2;
  }
  const b = await loadBackendModule(spec, { backend });
  const ctx = new Context(await b.create());
  const store = nodeStore();
  const cases = listCases({ ...(ops ? { op: ops } : {}), ...(id ? { id } : {}) });
  console.log(`convkit-conformance: backend '${ctx.backendName}' (engine ${ctx.engine}) from ${spec} via ${b.via}; ${cases.length} cases`);
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      const r = await runCase(c, ctx, tolerance, store);
      results.push(r);
      if (r.status === 'fail') console.log(`FAIL ${r.message.replace(/\n/g, '\n     ')}`);
      else if (verbose) console.log(`${r.status.padEnd(15)} ${r.case}${r.message ? `: ${r.message}` : ''}`);
    }
  } finally {
    await ctx.dispose();
  }
  console.log('');
  console.log(formatTable(results));
  const skipped = results.filter((r) => r.status === 'skipped');
  if (skipped.length) console.log(`\n${skipped.length} skipped: ${skipped[0]!.message}`);
  if (json) writeFileSync(json, JSON.stringify({ backend: ctx.backendName, engine: ctx.engine, results }, null, 1));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`convkit-conformance: ${(e as Error).message}`);
    process.exit(2);
  },
);
