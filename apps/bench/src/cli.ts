#!/usr/bin/env node
/**
 * pnpm bench [--quick] [--reps N] [--warmup N] [--warmup-ms MS] [--min-time-ms MS] [--samples N] [--only REGEX] [--impl REGEX]
 *            [--row-budget S] [--repeat N] [--baseline ID] [--no-peers] [--no-browser] [--out DIR] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench, addRatios, type HalfConfig, type RowResult } from './bench.js';
import { machineInfo } from './machine.js';
import { browserRowIds, convkitImpls } from './convkit.js';
import { tfjsImpls } from './tfjs.js';
import { tfjsWebgpuImpl } from './tfjs_webgpu.js';
import { provideNodeWebgpu } from './webgpu_node.js';
import { runThreadedTfjsNode, tfjsPthreadPoolSize, tfjsWasmThreads } from './wasm_threads.js';
import { ortImpl } from './ort.js';
import { fullWorkloads, quickWorkloads } from './workloads.js';
import { html, machineLine, repeatTable, softwareAdapterNotes, table, type Report } from './report.js';
import { makeProgress } from './progress.js';
import { combineRepeats, addBaselineRatios, summarize, roundOrder, segments, ORDER_SEED } from './repeat.js';
import { filterOf, parseBenchArgs, UsageError, USAGE, type Args } from './args.js';
import type { Impl } from './impl.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * glibc malloc settings for the benchmark process (Linux, unless CONVKIT_BENCH_MALLOC=default):
 * large allocations come from the heap and freed memory stays there, so a typed array of a few MB
 * reuses warm pages instead of faulting in fresh ones. On this project's VM each fresh 4 KiB page
 * costs ~10 us, so a 6 MB read-back costs 15 ms of page faults in one run and 0.6 ms in the next,
 * depending on when glibc's dynamic mmap threshold last moved: that is allocator noise, not what
 * the benchmark compares. Applies to every implementation alike (peers included).
 */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Re-runs the benchmark once with the environment it needs: the malloc settings above, an X
 * display for headless-gl (xvfb-run) when there is none and xvfb-run exists, and a Vulkan driver
 * for WebGPU (SwiftShader's ICD when VK_ICD_FILENAMES is unset and Chromium's SwiftShader is installed).
 */
function maybeReexec(): void {
  if (process.env.CONVKIT_BENCH_REEXEC || process.platform !== 'linux') return;
  const env: NodeJS.ProcessEnv = { ...process.env, CONVKIT_BENCH_REEXEC: '1' };
  let changed = false;
  if (process.env.CONVKIT_BENCH_MALLOC !== 'default' && !process.env.GLIBC_TUNABLES) {
    env.GLIBC_TUNABLES = MALLOC_TUNABLES;
    changed = true;
  }
  // WebGPU in Node (Dawn) needs a Vulkan driver: on a machine without a GPU, Chromium's SwiftShader
  // (a CPU rasteriser; every row on it says so). CONVKIT_BENCH_VULKAN=system leaves the choice to the loader.
  if (!process.env.VK_ICD_FILENAMES && process.env.CONVKIT_BENCH_VULKAN !== 'system' && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
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

/** One line on stderr and exit code 2: a bad command line never starts a run. */
function usage(msg: string): number {
  console.error(`bench: ${msg}`);
  return 2;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseBenchArgs(process.argv.slice(2), path.resolve(here, '../results'));
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const allWorkloads = args.quick ? quickWorkloads() : fullWorkloads();
  const workloads = allWorkloads.filter((w) => !args.only || args.only.test(w.id));
  if (workloads.length === 0) return usage(`--only '${args.only!.source}' matches no workload (workloads: ${allWorkloads.map((w) => w.id).join(', ')})`);
  maybeReexec();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const machine = machineInfo();
  const filter = filterOf(args);
  log(`convkit bench (${args.quick ? 'quick' : 'full'}${filter ? ', filtered' : ''}${args.repeat > 1 ? `, ${args.repeat} repeats` : ''}) on ${machineLine(machine)}`);

  const skipped: Report['skipped'] = [];
  const notes: string[] = [];
  const impls: Impl[] = [];
  // convkit's gpu.js webgpu mode loads the 'webgpu' package (Dawn) itself in Node; the backends are
  // created before navigator.gpu exists, so that is what the convkit:gpujs:webgpu row measures
  for (const r of await convkitImpls(log)) {
    if (r.impl) impls.push(r.impl);
    else skipped.push({ impl: r.label, reason: r.skipped ?? '' });
  }
  // navigator.gpu for tfjs-backend-webgpu, from the same package (same Vulkan driver, same adapter)
  const gpu = args.peers ? await provideNodeWebgpu() : null;
  if (gpu?.ok) notes.push(`WebGPU in Node: the 'webgpu' package (Dawn), loaded by backend-gpujs itself for convkit:gpujs:webgpu and installed as navigator.gpu for tfjs:webgpu; adapter ${gpu.adapter}${gpu.software ? ' (a software adapter: CPU rasteriser, not a GPU)' : ''}${process.env.VK_ICD_FILENAMES ? `; VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}` : ''}`);
  if (process.env.GLIBC_TUNABLES === MALLOC_TUNABLES) notes.push(`glibc malloc: ${MALLOC_TUNABLES} (large buffers reuse warm pages; CONVKIT_BENCH_MALLOC=default turns it off)`);
  if (process.env.CONVKIT_BENCH_XVFB) notes.push('ran under xvfb-run (an X display for headless-gl; Mesa software GL, no GPU on this machine)');
  const cores = os.availableParallelism();
  const wasmThreads = tfjsWasmThreads(cores);
  if (args.peers) {
    const peers = [...(await tfjsImpls()), await tfjsWebgpuImpl(), await ortImpl(cores)];
    for (const r of peers) {
      if (r.impl) impls.push(r.impl);
      else skipped.push({ impl: r.label, reason: r.skipped ?? '' });
    }
    notes.push('tfjs rows get their inputs in NHWC/HWIO (their native layout), converted once at setup, never timed; outputs are checked through the same index map.');
    notes.push(`onnxruntime-node: CPU execution provider, intraOpNumThreads ${cores}; one hand-written ONNX node per workload (Conv, MaxPool, MatMul).`);
  }
  // every id this run could have, for the --impl / --baseline checks
  const candidates = [...impls.map((i) => i.id), ...(args.peers ? ['tfjs:wasm-threads'] : []), ...(args.browser ? await browserRowIds() : [])];
  const selected = impls.filter((i) => !args.impl || args.impl.test(i.id));
  const cleanup = async () => {
    for (const i of impls) await i.dispose();
  };
  if (args.impl && !candidates.some((id) => args.impl!.test(id))) {
    const na = skipped.filter((s) => args.impl!.test(s.impl));
    await cleanup();
    return usage(
      `--impl '${args.impl.source}' matches no implementation${na.length ? ` that runs here (not available: ${na.map((s) => `${s.impl}: ${s.reason}`).join('; ')})` : ''} (implementations: ${candidates.join(', ')})`,
    );
  }
  if (args.baseline !== 'tfjs:wasm-threads' && !candidates.includes(args.baseline)) {
    await cleanup();
    return usage(`--baseline '${args.baseline}' is not an implementation of this run (implementations: ${candidates.join(', ')})`);
  }
  for (const s of skipped) log(`not run: ${s.impl}: ${s.reason}`);
  log(`implementations: ${selected.map((i) => `${i.id} [${i.engine}${i.adapter ? `, adapter ${i.adapter}` : ''}]`).join(', ')}`);

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
  const seen = new Set<string>();
  const addSkipped = (xs: Report['skipped']) => {
    for (const x of xs) if (!seen.has(`${x.impl}\u0000${x.reason}`)) (seen.add(`${x.impl}\u0000${x.reason}`), skipped.push(x));
  };
  const addNotes = (xs: string[]) => {
    for (const x of xs) if (!notes.includes(x)) notes.push(x);
  };
  /**
   * The units of one comparison, in the canonical order (the order of a single run): every selected
   * Node implementation, the threaded-tfjs child, the browser half. `--repeat` runs them in a
   * different order each round (roundOrder), and each round's rows are put back in this order.
   */
  type Unit = { kind: 'node'; id: string; impl: Impl } | { kind: 'child'; id: string } | { kind: 'browser'; id: string };
  const units: Unit[] = [
    ...selected.map((impl): Unit => ({ kind: 'node', id: impl.id, impl })),
    ...(args.peers && (!args.impl || args.impl.test('tfjs:wasm-threads')) ? [{ kind: 'child', id: 'tfjs:wasm-threads' } as const] : []),
    ...(args.browser ? [{ kind: 'browser', id: 'browser (headless Chromium)' } as const] : []),
  ];
  const workloadRank = new Map(workloads.map((w, i) => [w.id, i]));
  const rounds: string[][] = [];
  /** One whole comparison: the Node rows, the threaded-tfjs child, the browser half, in round k's order. */
  const runOnce = async (k: number): Promise<RowResult[]> => {
    const tag = args.repeat > 1 ? `repeat ${k + 1}/${args.repeat}: ` : '';
    const order = roundOrder(units.length, k, ORDER_SEED);
    rounds.push(order.map((i) => units[i]!.id));
    if (tag) log(`${tag}start (order: ${rounds[k]!.join(', ')})`);
    // the canonical position of the unit each row came from, to put the round back in order
    const unitOf = new Map<RowResult, number>();
    const rows: RowResult[] = [];
    const add = (rs: RowResult[], unit: (r: RowResult) => number) => {
      for (const r of rs) (unitOf.set(r, unit(r)), rows.push(r));
    };
    for (const seg of segments(order.map((i) => ({ kind: units[i]!.kind, i })), (kind) => kind === 'node')) {
      const u = units[seg[0]!.i]!;
      if (u.kind === 'node') {
        const impls = seg.map((x) => (units[x.i] as Extract<Unit, { kind: 'node' }>).impl);
        const at = new Map(seg.map((x) => [units[x.i]!.id, x.i]));
        const progress = makeProgress();
        try {
          add(await runBench(workloads, impls, { ...half, onProgress: (d, t, task) => progress.update(d, t, tag + task), log: progress.log }), (r) => at.get(r.impl)!);
        } finally {
          progress.stop();
        }
      } else if (u.kind === 'child') {
        // threaded tfjs-wasm in a child Node process (one tfjs-wasm build per process; see wasm_threads.ts)
        try {
          const t = await runThreadedTfjsNode({ ...half, threads: wasmThreads, pool: tfjsPthreadPoolSize() }, log);
          add(t.rows, () => seg[0]!.i);
          addSkipped(t.skipped);
          addNotes(t.notes);
        } catch (e) {
          addSkipped([{ impl: 'tfjs:wasm-threads', reason: (e as Error).message.split('\n')[0]! }]);
        }
      } else {
        try {
          const { runBrowser } = await import('./browser.js');
          const b = await runBrowser({ cfg: half, log });
          add(b.rows, () => seg[0]!.i);
          addSkipped(b.skipped);
          addNotes(b.notes);
        } catch (e) {
          addSkipped([{ impl: 'browser (headless Chromium)', reason: (e as Error).message.split('\n')[0]! }]);
        }
      }
    }
    // back in the canonical order: by workload, then by unit (stable: a unit's rows keep their order)
    rows.sort((a, b) => (workloadRank.get(a.workload) ?? 99) - (workloadRank.get(b.workload) ?? 99) || unitOf.get(a)! - unitOf.get(b)!);
    addRatios(rows);
    addBaselineRatios(rows, args.baseline);
    return rows;
  };
  const runs: RowResult[][] = [];
  try {
    for (let k = 0; k < args.repeat; k++) runs.push(await runOnce(k));
  } finally {
    await cleanup();
  }
  let rows: RowResult[];
  let summary;
  if (args.repeat > 1) ({ rows, summary } = combineRepeats(runs, args.baseline));
  else ((rows = runs[0]!), (summary = summarize(runs, args.baseline)));
  if (args.repeat > 1) summary.order = { seed: ORDER_SEED, rounds };
  // group rows by workload in the order of the workloads
  const order = new Map(workloads.map((w, i) => [w.id, i]));
  rows.sort((a, b) => (order.get(a.workload) ?? 99) - (order.get(b.workload) ?? 99));
  addNotes(softwareAdapterNotes(rows));

  machine.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const report: Report = {
    tool: 'convkit-bench',
    mode: args.quick ? 'quick' : 'full',
    ...(filter ? { filter } : {}),
    machine,
    settings: { reps: args.reps, warmup: args.warmup, warmupMs: args.warmupMs, minTimeMs: args.minTimeMs, samples: args.samples, repeat: args.repeat, baseline: args.baseline, rowBudget: args.rowBudget },
    skipped,
    notes,
    summary,
    rows,
  };
  const filterLine = filter ? `FILTERED run (${[filter.only ? `--only '${filter.only}'` : '', filter.impl ? `--impl '${filter.impl}'` : ''].filter(Boolean).join(' ')}): a subset, not the full comparison` : '';
  console.log(`\nconvkit bench, ${report.mode} mode${args.repeat > 1 ? `, ${args.repeat} repeats (interleaved)` : ''}. Machine: ${machineLine(machine)}`);
  if (filterLine) console.log(filterLine);
  console.log('');
  console.log(table(report));
  const rt = repeatTable(report);
  if (rt) console.log(`\n${rt}`);
  const sw = softwareAdapterNotes(rows);
  if (sw.length) console.log(`\n${sw.join('\n')}`);
  if (skipped.length) {
    console.log('\nnot run here:');
    for (const s of skipped) console.log(`  ${s.impl}: ${s.reason}`);
  }
  mkdirSync(args.out, { recursive: true });
  const stamp = machine.date.replace(/[:.]/g, '-');
  // a filtered run never replaces latest-full.* / latest-quick.*
  const kind = `${report.mode}${filter ? '-filtered' : ''}`;
  const base = path.join(args.out, `bench-${kind}-${stamp}`);
  const text = JSON.stringify(report, null, 2);
  writeFileSync(`${base}.json`, text);
  writeFileSync(`${base}.html`, html(report));
  writeFileSync(path.join(args.out, `latest-${kind}.json`), text);
  writeFileSync(path.join(args.out, `latest-${kind}.html`), html(report));
  if (args.json) writeFileSync(args.json, text);
  console.log(`\nreport: ${base}.html\njson:   ${base}.json`);

  const bad = rows.filter((r) => r.status === 'mismatch' || r.status === 'error');
  const passed = rows.filter((r) => r.status === 'ok' || r.status === 'checked' || r.status === 'too-slow').length;
  console.log(`\n${passed} passed, ${bad.length} failed, ${rows.length - passed - bad.length} skipped${filter ? ' (filtered run)' : ''}`);
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
