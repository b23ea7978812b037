#!/usr/bin/env node
/**
 * convkit-conformance <package name or path> [--backend NAME] [--backend-options JSON] [--expect-engine NAME]
 *                     [--filter OP[,OP...]] [--id TEXT] [--tolerance ATOL[,RTOL]] [--json FILE] [--verbose]
 * Runs every golden case on the backend, prints a table op by op and exits 1 on any failure,
 * 2 on a usage or loading error (one line on stderr, nothing run, nothing written).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Context } from '@convkit/core';
import { loadBackendModule } from './load.js';
import { listCases, nodeStore } from './node.js';
import { formatTable, runCase, type CaseResult } from './runner.js';
import { DEFAULT_TOLERANCE, type Tolerance } from './tolerance.js';

const USAGE = `usage: convkit-conformance <package name or path> [--backend NAME] [--backend-options JSON] [--expect-engine NAME]
                           [--filter OP[,OP...]] [--id TEXT] [--tolerance ATOL[,RTOL]] [--json FILE] [--verbose]
  --backend NAME          the backend of that name among the module's exports (default: the first found)
  --backend-options JSON  a JSON object handed to the backend's create(options), e.g. '{"mode":"webgpu"}' for gpujs
  --expect-engine NAME    fail (exit 2) unless the created backend reports this engine (e.g. webgpu)
  --filter OP[,OP...]     only these ops          --id TEXT    only cases whose id contains TEXT
  --tolerance ATOL[,RTOL] base tolerance (default ${DEFAULT_TOLERANCE.atol},${DEFAULT_TOLERANCE.rtol})
  --json FILE             also write the results as JSON      --verbose, -v   one line per case`;

/** A bad invocation: one line on stderr, exit code 2. */
class UsageError extends Error {}

interface Args {
  spec: string;
  backend?: string;
  backendOptions?: Record<string, unknown>;
  expectEngine?: string;
  ops?: string[];
  id?: string;
  json?: string;
  verbose: boolean;
  tolerance: Tolerance;
}

/** node:util parseArgs errors, reworded to one line naming the flag. */
function parseError(e: unknown): UsageError {
  const err = e as Error & { code?: string };
  // "Option '-v, --verbose' does not take an argument", "Option '--json <value>' argument missing"
  const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${flag ?? err.message} (see --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(err.message)) return new UsageError(`${flag} needs a value`);
      if (/ambiguous/.test(err.message)) return new UsageError(`${flag} needs a value; write one that starts with '-' as ${flag}=VALUE`);
      return new UsageError(`${flag} takes no value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}: give one package name or path (see --help)`);
    default:
      return new UsageError(err.message.split('\n')[0]!);
  }
}

function parse(argv: string[]): Args | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      // a lone '--' (what `pnpm run conformance -- --filter relu` passes on) separates nothing here
      args: argv.filter((a) => a !== '--'),
      allowPositionals: true,
      strict: true,
      options: {
        backend: { type: 'string' },
        'backend-options': { type: 'string' },
        'expect-engine': { type: 'string' },
        filter: { type: 'string' },
        id: { type: 'string' },
        tolerance: { type: 'string' },
        json: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw parseError(e);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  if (positionals.length === 0) throw new UsageError('missing the backend package (a package name or path; see --help)');
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}: give one package name or path (see --help)`);
  const spec = positionals[0]!;
  if ((spec.startsWith('.') || isAbsolute(spec)) && !existsSync(resolve(spec))) throw new UsageError(`no package directory or file at ${spec} (${resolve(spec)})`);
  const nonEmpty = (flag: string, s: string | undefined) => {
    if (s !== undefined && s.trim() === '') throw new UsageError(`${flag} needs a non-empty value`);
    return s;
  };
  const args: Args = {
    spec,
    backend: nonEmpty('--backend', v.backend),
    expectEngine: nonEmpty('--expect-engine', v['expect-engine']),
    id: nonEmpty('--id', v.id),
    verbose: v.verbose!,
    tolerance: DEFAULT_TOLERANCE,
  };
  if (v['backend-options'] !== undefined) {
    let o: unknown;
    try {
      o = JSON.parse(v['backend-options']);
    } catch (e) {
      throw new UsageError(`--backend-options '${v['backend-options']}' is not JSON: ${(e as Error).message}`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new UsageError(`--backend-options '${v['backend-options']}' must be a JSON object, e.g. '{"mode":"webgpu"}'`);
    args.backendOptions = o as Record<string, unknown>;
  }
  if (v.tolerance !== undefined) {
    const parts = v.tolerance.split(',');
    const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
    if (parts.length > 2 || nums.some((n) => !Number.isFinite(n) || n < 0)) {
      throw new UsageError(`--tolerance '${v.tolerance}': expected ATOL or ATOL,RTOL, finite numbers >= 0`);
    }
    args.tolerance = { atol: nums[0]!, rtol: nums[1] ?? nums[0]! };
  }
  const known = [...new Set(listCases().map((c) => c.op))].sort();
  if (v.filter !== undefined) {
    const ops = v.filter.split(',').map((s) => s.trim());
    const bad = ops.filter((o) => !known.includes(o));
    if (bad.length || ops.length === 0) throw new UsageError(`--filter '${v.filter}': unknown op ${bad.map((b) => `'${b}'`).join(', ')}; ops: ${known.join(', ')}`);
    args.ops = ops;
  }
  if (v.json !== undefined) {
    const file = resolve(v.json);
    const dir = dirname(file);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--json ${v.json}: directory ${dir} does not exist`);
    if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`--json ${v.json} is a directory`);
    args.json = file;
  }
  return args;
}

/** What the backend says about its device, when it says anything (gpujs: `renderer`, `adapter`). */
function deviceInfo(backend: object): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const k of ['renderer', 'adapter'] as const) {
    try {
      const val = (backend as Record<string, unknown>)[k];
      if (val !== undefined && typeof val !== 'function') out[k] = val;
    } catch {
      // a getter that throws on this backend: nothing to report
    }
  }
  return Object.keys(out).length ? out : undefined;
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const cases = listCases({ ...(args.ops ? { op: args.ops } : {}), ...(args.id ? { id: args.id } : {}) });
  if (cases.length === 0) throw new UsageError(`no golden case matches${args.ops ? ` --filter ${args.ops.join(',')}` : ''}${args.id ? ` --id '${args.id}'` : ''}`);
  const b = await loadBackendModule(args.spec, { backend: args.backend });
  const ctx = new Context(await b.create(args.backendOptions));
  const device = deviceInfo(ctx.backend);
  const results: CaseResult[] = [];
  try {
    if (args.expectEngine !== undefined && ctx.engine !== args.expectEngine) {
      throw new UsageError(`backend '${ctx.backendName}' runs on engine '${ctx.engine}', not the --expect-engine '${args.expectEngine}'`);
    }
    const store = nodeStore();
    console.log(
      `convkit-conformance: backend '${ctx.backendName}' (engine ${ctx.engine}) from ${args.spec} via ${b.via}` +
        `${args.backendOptions ? ` with options ${JSON.stringify(args.backendOptions)}` : ''}; ${cases.length} cases`,
    );
    if (device) console.log(`device: ${JSON.stringify(device)}`);
    for (const c of cases) {
      const r = await runCase(c, ctx, args.tolerance, store);
      results.push(r);
      if (r.status === 'fail') console.log(`FAIL ${r.message.replace(/\n/g, '\n     ')}`);
      else if (args.verbose) console.log(`${r.status.padEnd(15)} ${r.case}${r.message ? `: ${r.message}` : ''}`);
    }
  } finally {
    await ctx.dispose();
  }
  console.log('');
  console.log(formatTable(results));
  const skipped = results.filter((r) => r.status === 'skipped');
  if (skipped.length) console.log(`\n${skipped.length} skipped: ${skipped[0]!.message}`);
  if (args.json) {
    const report = {
      backend: ctx.backendName,
      engine: ctx.engine,
      ...(args.backendOptions ? { backendOptions: args.backendOptions } : {}),
      ...(device ? { device } : {}),
      results,
    };
    writeFileSync(args.json, JSON.stringify(report, null, 1));
  }
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`convkit-conformance: ${e instanceof UsageError ? msg : msg.split('\n')[0]}`);
    process.exit(2);
  },
);
