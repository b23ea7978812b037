#!/usr/bin/env node
/**
 * pnpm bench [--quick] [--reps N] [--warmup N] [--warmup-ms MS] [--min-time-ms MS] [--samples N] [--only REGEX] [--impl REGEX]
 *            [--no-peers] [--no-browser] [--out DIR] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench, addRatios, type HalfConfig, type RowResult } from './bench.js';
import { machineInfo } from './machine.js';
import { convkitImpls } from './convkit.js';
import { tfjsImpls } from './tfjs.js';
import { runThreadedTfjsNode } from './wasm_threads.js';
import { ortImpl } from './ort.js';
import { fullWorkloads, quickWorkloads } from './workloads.js';
import { html, machineLine, table, type Report } from './report.js';
import { makeProgress } from './progress.js';
import type { Impl } from './impl.js';

interface Args {
  quick: boolean;
  reps: number;
  warmup: number;
  warmupMs: number;
  minTimeMs: number;
  samples: number;
  only?: RegExp;
  impl?: RegExp;
  peers: boolean;
  browser: boolean;
  out: string;
  json?: string;
  rowBudget: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, reps: 7, warmup: 1, warmupMs: 1000, minTimeMs: 2000, samples: 256, peers: true, browser: true, rowBudget: 30, out: path.resolve(here, '../results') };
  const args = argv.filter((x) => x !== '--');
  for (let i = 0; i < args.length; i++) {
    const k = args[i]!;
    const v = () => {
      const x = args[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--quick') a.quick = true;
    else if (k === '--reps') a.reps = Number(v());
    else if (k === '--warmup') a.warmup = Number(v());
    else if (k === '--warmup-ms') a.warmupMs = Number(v());
    else if (k === '--min-time-ms') a.minTimeMs = Number(v());
    else if (k === '--samples') a.samples = Number(v());
    else if (k === '--only') a.only = new RegExp(v());
    else if (k === '--impl') a.impl = new RegExp(v());
    else if (k === '--row-budget') a.rowBudget = Number(v());
    else if (k === '--no-peers') a.peers = false;
    else if (k === '--no-browser') a.browser = false;
    else if (k === '--out') a.out = path.resolve(v());
    else if (k === '--json') a.json = path.resolve(v());
    else if (k === '--help' || k === '-h') {
      console.log('usage: pnpm bench [--quick] [--reps N>=7] [--warmup N] [--warmup-ms MS] [--min-time-ms MS] [--samples N] [--only REGEX] [--impl REGEX] [--row-budget S] [--no-peers] [--no-browser] [--out DIR] [--json FILE]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  if (!a.quick && !(a.reps >= 7)) throw new Error('--reps must be at least 7');
  return a;
}

/**
 * glibc malloc settings for the benchmark process (Linux, unless CONVKIT_BENCH_MALLOC=default):
 * large allocations come from the heap and freed memory stays there, so a typed array of a few MB
 * reuses warm pages instead of faulting in fresh ones. On this project's VM each fresh 4 KiB page
 * costs ~10 us, so a 6 MB read-back costs 15 ms of page faults in one run and 0.6 ms in the next,
 * depending on when glibc's dynamic mmap threshold last moved: that is allocator noise, not what
 * the benchmark compares. Applies to every implementation alike (peers included).
 */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';

/**
 * Re-runs the benchmark once with the environment it needs: the malloc settings above, and an X
 * display for headless-gl (xvfb-run) when there is none and xvfb-run exists.
 */
function maybeReexec(): void {
  if (process.env.CONVKIT_BENCH_REEXEC || process.platform !== 'linux') return;
  const env: NodeJS.ProcessEnv = { ...process.env, CONVKIT_BENCH_REEXEC: '1' };
  let changed = false;
  if (process.env.CONVKIT_BENCH_MALLOC !== 'default' && !process.env.GLIBC_TUNABLES) {
    env.GLIBC_TUNABLES = MALLOC_TUNABLES;
    changed = true;
  }
  let cmd = process.execPath;
  let argv = process.argv.slice(1);
  if (!process.env.DISPLAY && !process.env.CONVKIT_BENCH_XVFB && spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).status === 0) {
    argv = ['-a', '-s', '-screen 0 1280x1024x24', cmd, ...argv];
    cmd = 'xvfb-run';
    env.CONVKIT_BENCH_XVFB = '1';
    changed = true;
  }
  if (!changed) return;
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  maybeReexec();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const machine = machineInfo();
  log(`convkit bench (${args.quick ? 'quick' : 'full'}) on ${machineLine(machine)}`);

  const skipped: Report['skipped'] = [];
  const notes: string[] = [];
  const impls: Impl[] = [];
  for (const r of await convkitImpls(log)) {
    if (r.impl) impls.push(r.impl);
    else skipped.push({ impl: r.label, reason: r.skipped ?? '' });
  }
  if (process.env.GLIBC_TUNABLES === MALLOC_TUNABLES) notes.push(`glibc malloc: ${MALLOC_TUNABLES} (large buffers reuse warm pages; CONVKIT_BENCH_MALLOC=default turns it off)`);
  if (process.env.CONVKIT_BENCH_XVFB) notes.push('ran under xvfb-run (an X display for headless-gl; Mesa software GL, no GPU on this machine)');
  if (args.peers) {
    const threads = os.availableParallelism();
    const peers = [...(await tfjsImpls()), await ortImpl(threads)];
    for (const r of peers) {
      if (r.impl) impls.push(r.impl);
      else skipped.push({ impl: r.label, reason: r.skipped ?? '' });
    }
    notes.push('tfjs rows get their inputs in NHWC/HWIO (their native layout), converted once at setup, never timed; outputs are checked through the same index map.');
    notes.push(`onnxruntime-node: CPU execution provider, intraOpNumThreads ${threads}; one hand-written ONNX node per workload (Conv, MaxPool, MatMul).`);
  }
  const selected = impls.filter((i) => !args.impl || args.impl.test(i.id));
  const workloads = (args.quick ? quickWorkloads() : fullWorkloads()).filter((w) => !args.only || args.only.test(w.id));
  for (const s of skipped) log(`not run: ${s.impl}: ${s.reason}`);
  log(`implementations: ${selected.map((i) => `${i.id} [${i.engine}]`).join(', ')}`);

  // the run settings of every half (this process, the threaded-tfjs child, the Chromium page)
  const half: HalfConfig = {
    quick: args.quick,
    reps: args.reps,
    warmup: args.quick ? 0 : args.warmup,
    warmupMs: args.quick ? 0 : args.warmupMs,
    minTimeMs: args.quick ? 0 : args.minTimeMs,
    samples: args.samples,
    rowBudget: args.rowBudget,
    only: args.only?.source,
    impl: args.impl?.source,
  };
  const progress = makeProgress();
  let rows: RowResult[] = [];
  try {
    rows = await runBench(workloads, selected, { ...half, onProgress: progress.update, log: progress.log });
  } finally {
    progress.stop();
    for (const i of impls) await i.dispose();
  }

  if (args.peers && (!args.impl || args.impl.test('tfjs:wasm-threads'))) {
    // threaded tfjs-wasm in a child Node process (one tfjs-wasm build per process; see wasm_threads.ts)
    try {
      const t = await runThreadedTfjsNode({ ...half, threads: os.availableParallelism() }, log);
      rows.push(...t.rows);
      skipped.push(...t.skipped);
      notes.push(...t.notes);
      addRatios(rows);
    } catch (e) {
      skipped.push({ impl: 'tfjs:wasm-threads', reason: (e as Error).message.split('\n')[0]! });
    }
  }
  if (args.browser) {
    try {
      const { runBrowser } = await import('./browser.js');
      const b = await runBrowser({ cfg: half, log });
      rows.push(...b.rows);
      skipped.push(...b.skipped);
      notes.push(...b.notes);
      addRatios(rows);
    } catch (e) {
      skipped.push({ impl: 'browser (headless Chromium)', reason: (e as Error).message.split('\n')[0]! });
    }
  }
  // group rows by workload in the order of the workloads
  const order = new Map(workloads.map((w, i) => [w.id, i]));
  rows.sort((a, b) => (order.get(a.workload) ?? 99) - (order.get(b.workload) ?? 99));

  machine.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const report: Report = {
    tool: 'convkit-bench',
    mode: args.quick ? 'quick' : 'full',
    machine,
    settings: { reps: args.reps, warmup: args.warmup, warmupMs: args.warmupMs, minTimeMs: args.minTimeMs, samples: args.samples },
    skipped,
    notes,
    rows,
  };
  console.log(`\nconvkit bench, ${report.mode} mode. Machine: ${machineLine(machine)}\n`);
  console.log(table(report));
  if (skipped.length) {
    console.log('\nnot run here:');
    for (const s of skipped) console.log(`  ${s.impl}: ${s.reason}`);
  }
  mkdirSync(args.out, { recursive: true });
  const stamp = machine.date.replace(/[:.]/g, '-');
  const base = path.join(args.out, `bench-${report.mode}-${stamp}`);
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
  writeFileSync(`${base}.html`, html(report));
  writeFileSync(path.join(args.out, `latest-${report.mode}.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(args.out, `latest-${report.mode}.html`), html(report));
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
  console.log(`\nreport: ${base}.html\njson:   ${base}.json`);

  const bad = rows.filter((r) => r.status === 'mismatch' || r.status === 'error');
  const passed = rows.filter((r) => r.status === 'ok' || r.status === 'checked' || r.status === 'too-slow').length;
  console.log(`\n${passed} passed, ${bad.length} failed, ${rows.length - passed - bad.length} skipped`);
  if (bad.length) {
    console.error(`\n${bad.length} row(s) failed:`);
    for (const r of bad) console.error(`  ${r.workload} on ${r.impl}: ${r.status}: ${r.reason}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(2);
  },
);
void existsSync;
