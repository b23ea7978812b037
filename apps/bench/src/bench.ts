/** Runs every workload on every implementation: check against float64 first, then time. */
import { randomArray, sampleIndices } from './data.js';
import {
  compareAt,
  convDwExpected,
  convDxExpected,
  convExpected,
  emptyCheck,
  gemmExpected,
  maxpoolExpected,
  sumTolerance,
  type CheckResult,
  type Output,
  type Tolerance,
} from './check.js';
import { bytesMoved, convGeometry, flops, fullWorkloads, poolGeometry, quickWorkloads, type Workload } from './workloads.js';
import { checkTrain, referenceStepLib, PARAM_NAMES, type TrainInit, trainInit, type TrainReference } from './train.js';
import type { Impl, Inputs } from './impl.js';
export type { Machine } from './machine.js';
import { refConv2d, refConv2dBackward, refGemm, refMaxpool2d } from '@convkit/reference';

export type Status = 'ok' | 'checked' | 'mismatch' | 'unsupported' | 'error' | 'too-slow';

export interface RowResult {
  workload: string;
  title: string;
  kind: Workload['kind'];
  impl: string;
  group: 'convkit' | 'peer';
  engine: string;
  /** the GPU adapter the row ran on (WebGPU / GL rows), and whether it is a software rasteriser */
  adapter?: string;
  software?: boolean;
  /**
   * 'ok' timed, 'checked' quick mode (correct, not timed), 'mismatch', 'unsupported', 'error',
   * 'too-slow' (correct, but warm-up + reps would exceed the row budget: only the first call is reported)
   */
  status: Status;
  reason?: string;
  check?: CheckResult;
  /** first call (includes compilation / plan building), ms */
  firstMs?: number;
  medianMs?: number;
  minMs?: number;
  timesMs?: number[];
  flops: number;
  bytes: number;
  /** GFLOP/s (or GB/s for memory-bound rows) at the median and at the minimum */
  rate?: number;
  rateBest?: number;
  unit: 'GFLOP/s' | 'GB/s';
  vsJs?: number;
  vsBestPeer?: number;
  bestPeer?: string;
  /** rate over the baseline row (`--baseline`, default tfjs:wasm-threads) of the same workload */
  vsBaseline?: number;
  /** `--repeat N`: the row across the N runs (repeat.ts) */
  repeat?: import('./repeat.js').RowRepeats;
}

export interface BenchOptions {
  quick: boolean;
  reps: number;
  warmup: number;
  /**
   * Warm-up also runs until this many milliseconds have passed (after the `warmup` runs, at most 1000
   * runs): one run leaves a JIT and the allocator cold. On this project's VM a fresh 2 MB typed
   * array costs ~10 ms of page faults until glibc raises its mmap threshold, which takes a garbage
   * collection of earlier buffers; a steady-state loop (a training loop) never pays that.
   */
  warmupMs?: number;
  /**
   * Timed runs continue past `reps` until this many milliseconds of them (at most 1000 runs): on a
   * shared 2-vCPU VM a few runs in ten lose a core for a scheduler slice, and the median of only 7
   * fast runs (a 3 ms op) moves by half between invocations.
   */
  minTimeMs?: number;
  /** output positions checked per output tensor in full mode */
  samples: number;
  /** seconds one row may take (first call x (warmup + reps)); longer rows report the first call only */
  rowBudget?: number;
  onProgress?: (done: number, total: number, task: string) => void;
  log?: (s: string) => void;
}

interface Prepared {
  inputs: Inputs;
  check(outs: Record<string, Output>, impl: Impl): CheckResult;
}

/**
 * Inputs and the float64 expectations of one workload (shared by every implementation).
 * With `full` (quick mode, tiny sizes) every output is compared with @convkit/reference; otherwise
 * `samples` positions per output, computed directly in float64 (check.ts), keep the check fast.
 */
export function prepareWorkload(w: Workload, samples: number, full = false): Prepared {
  const T = (data: Float32Array, shape: number[]) => ({ data, shape });
  switch (w.kind) {
    case 'conv': {
      const c = w.shape;
      const g = convGeometry(c);
      const x = randomArray(c.N * c.C * c.H * c.W, 11);
      const wt = randomArray(c.K * c.C * c.R * c.S, 12);
      const b = randomArray(c.K, 13);
      const pos = sampleIndices(c.N * c.K * g.outH * g.outW, full ? Infinity : samples, 14);
      const exp = full
        ? refConv2d(T(x, [c.N, c.C, c.H, c.W]), T(wt, [c.K, c.C, c.R, c.S]), T(b, [c.K]), { stride: c.stride, padding: 'same' }).data
        : convExpected(x, wt, b, c, pos);
      return {
        inputs: { x, w: wt, b },
        check: (o, impl) => compareAt(emptyCheck(), 'y', o.y!, pos, exp, sumTolerance(c.C * c.R * c.S, impl.precision)),
      };
    }
    case 'convBackward': {
      const c = w.shape;
      const g = convGeometry(c);
      const x = randomArray(c.N * c.C * c.H * c.W, 21);
      const wt = randomArray(c.K * c.C * c.R * c.S, 22);
      const dy = randomArray(c.N * c.K * g.outH * g.outW, 23);
      const px = sampleIndices(x.length, full ? Infinity : samples, 24);
      const pw = sampleIndices(wt.length, full ? Infinity : samples, 25);
      const lib = full
        ? refConv2dBackward(T(x, [c.N, c.C, c.H, c.W]), T(wt, [c.K, c.C, c.R, c.S]), T(dy, [c.N, c.K, g.outH, g.outW]), { stride: c.stride, padding: 'same' })
        : null;
      const ex = lib ? lib.dx.data : convDxExpected(wt, dy, c, px);
      const ew = lib ? lib.dw.data : convDwExpected(x, dy, c, pw);
      return {
        inputs: { x, w: wt, dy },
        check: (o, impl) => {
          const r = emptyCheck();
          compareAt(r, 'dx', o.dx!, px, ex, sumTolerance(c.K * c.R * c.S, impl.precision));
          return compareAt(r, 'dw', o.dw!, pw, ew, sumTolerance(c.N * g.outH * g.outW, impl.precision));
        },
      };
    }
    case 'maxpool': {
      const p = w.shape;
      const g = poolGeometry(p);
      const x = randomArray(p.N * p.C * p.H * p.W, 31);
      const lib = full ? refMaxpool2d(T(x, [p.N, p.C, p.H, p.W]), { kernel: p.k, stride: p.stride, padding: 'same' }) : null;
      const e = lib ? { y: lib.y.data, indices: lib.indices.data } : maxpoolExpected(x, p);
      const all = Array.from({ length: p.N * p.C * g.outH * g.outW }, (_, i) => i);
      return {
        inputs: { x },
        check: (o) => {
          // every output: a max of float32 values is exact, and indices must match exactly
          const r = compareAt(emptyCheck(), 'y', o.y!, all, e.y, { atol: 0, rtol: 0 });
          if (o.indices) compareAt(r, 'indices', o.indices, all, e.indices, { atol: 0, rtol: 0 });
          return r;
        },
      };
    }
    case 'gemm': {
      const s = w.shape;
      const a = randomArray(s.M * s.K, 41);
      const b = randomArray(s.K * s.N, 42);
      const pos = sampleIndices(s.M * s.N, full ? Infinity : samples, 43);
      const exp = full ? refGemm(T(a, [s.M, s.K]), T(b, [s.K, s.N])).data : gemmExpected(a, b, s, pos);
      return { inputs: { a, b }, check: (o, impl) => compareAt(emptyCheck(), 'c', o.c!, pos, exp, sumTolerance(s.K, impl.precision)) };
    }
    case 'train': {
      const init: TrainInit = trainInit(w.shape);
      let ref: TrainReference | null = null;
      return {
        inputs: { x: init.x, labels: init.labels, ...init.params },
        check: (o) => {
          ref ??= referenceStepLib(w.shape, init);
          const after = Object.fromEntries(PARAM_NAMES.map((n) => [n, o[n]!.data as Float32Array])) as Record<(typeof PARAM_NAMES)[number], Float32Array>;
          return checkTrain(o.loss!.data[0]!, after, init, ref);
        },
      };
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

class SkipTiming extends Error {}

/** Rejects when `p` has not settled after `ms` (an async hang must not hang the whole run). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function fmtErr(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}

export async function runBench(workloads: Workload[], impls: Impl[], o: BenchOptions): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  const total = workloads.length * impls.length;
  let done = 0;
  for (const w of workloads) {
    const prep = prepareWorkload(w, o.samples, o.quick);
    const fl = flops(w);
    const by = bytesMoved(w);
    for (const impl of impls) {
      o.onProgress?.(done, total, `${w.id} on ${impl.id}`);
      const row: RowResult = {
        workload: w.id,
        title: w.title,
        kind: w.kind,
        impl: impl.id,
        group: impl.group,
        engine: impl.engine,
        status: 'unsupported',
        flops: fl,
        bytes: by,
        unit: w.kind === 'maxpool' ? 'GB/s' : 'GFLOP/s',
      };
      if (impl.adapter !== undefined) row.adapter = impl.adapter;
      if (impl.software !== undefined) row.software = impl.software;
      rows.push(row);
      const why = impl.unsupported(w);
      if (why) {
        row.reason = why;
        done++;
        continue;
      }
      let p: Awaited<ReturnType<Impl['prepare']>> | null = null;
      // a hang guard, not a budget: on SwiftShader every WebGPU pipeline compiles on the CPU, and the
      // quick training step on convkit:gpujs:webgpu (one pipeline per op) took 47-67 s at load 15-17
      const limit = 1000 * (o.quick ? 180 : Math.max(180, 3 * (o.rowBudget ?? 60)));
      try {
        p = await withTimeout(impl.prepare(w, prep.inputs), limit, 'prepare');
        let t0 = performance.now();
        const first = await withTimeout(p.run(), limit, 'the first call');
        row.firstMs = performance.now() - t0;
        row.engine = impl.engine; // engines may settle on the first run
        row.check = prep.check(first, impl);
        if (!row.check.ok) {
          row.status = 'mismatch';
          const wst = row.check.worst;
          row.reason = `${row.check.mismatches}/${row.check.checked} outside tolerance` + (wst ? `; worst ${wst.output}[${wst.index}] got ${wst.got} expected ${wst.expected}` : '') + (row.check.note ? `; ${row.check.note}` : '');
        } else if (o.quick) {
          row.status = 'checked';
        } else {
          // the budget is judged on a warm run (the first call includes compilation): a row whose
          // first call alone exceeds it, or whose reps would, reports the first call only
          const amount = w.kind === 'maxpool' ? by : fl;
          let warmMs = row.firstMs;
          // the first call alone decides when even warm runs of half its time would not fit: on a
          // software rasteriser (SwiftShader) at full sizes a warm run takes 60-90% of the first
          // call, and one more warm-up run of 10-20 s only to learn that costs minutes per run
          const firstOver = !!o.rowBudget && (row.firstMs / 1000 > o.rowBudget || (row.firstMs / 2000) * o.reps > o.rowBudget);
          let overBudget = firstOver;
          const warmStart = performance.now();
          const warmMinMs = o.warmupMs ?? 0;
          for (let i = 0; (i < o.warmup || (i < 1000 && performance.now() - warmStart < warmMinMs)) && !overBudget; i++) {
            t0 = performance.now();
            await withTimeout(p.run(), limit, 'a warm-up run');
            warmMs = performance.now() - t0;
            overBudget = !!o.rowBudget && (warmMs / 1000) * o.reps > o.rowBudget;
          }
          if (overBudget) {
            row.status = 'too-slow';
            row.reason = `correct; first call ${(row.firstMs / 1000).toFixed(1)} s${warmMs !== row.firstMs ? `, warm run ${(warmMs / 1000).toFixed(1)} s` : ''} (~${(amount / (warmMs * 1e6)).toFixed(3)} ${row.unit}): ${o.reps} timed runs would exceed the ${o.rowBudget} s row budget${firstOver && warmMs === row.firstMs ? ' even at half the first call' : ''}, not timed`;
            throw new SkipTiming();
          }
          const times: number[] = [];
          const timedStart = performance.now();
          const minTimeMs = o.minTimeMs ?? 0;
          for (let i = 0; i < o.reps || (i < 1000 && performance.now() - timedStart < minTimeMs); i++) {
            t0 = performance.now();
            await withTimeout(p.run(), limit, 'a timed run');
            times.push(performance.now() - t0);
          }
          row.timesMs = times;
          row.medianMs = median(times);
          row.minMs = Math.min(...times);
          row.rate = amount / (row.medianMs * 1e6);
          row.rateBest = amount / (row.minMs * 1e6);
          row.status = 'ok';
        }
      } catch (e) {
        if (!(e instanceof SkipTiming)) {
          row.status = 'error';
          row.reason = fmtErr(e);
          o.log?.(`${w.id} on ${impl.id}: ${row.reason}`);
        }
      } finally {
        try {
          await withTimeout(Promise.resolve(p?.dispose()), 30_000, 'dispose');
        } catch {
          /* ignore */
        }
      }
      done++;
    }
  }
  o.onProgress?.(done, total, 'done');
  addRatios(rows);
  return rows;
}

/** Ratios against convkit:js and against the fastest peer of the same workload (medians). */
export function addRatios(rows: RowResult[]): void {
  const byW = new Map<string, RowResult[]>();
  for (const r of rows) byW.set(r.workload, [...(byW.get(r.workload) ?? []), r]);
  for (const rs of byW.values()) {
    const js = rs.find((r) => r.impl === 'convkit:js' && r.status === 'ok');
    const peers = rs.filter((r) => r.group === 'peer' && r.status === 'ok');
    const best = peers.sort((a, b) => b.rate! - a.rate!)[0];
    for (const r of rs) {
      if (r.status !== 'ok') continue;
      if (js) r.vsJs = r.rate! / js.rate!;
      if (best) {
        r.vsBestPeer = r.rate! / best.rate!;
        r.bestPeer = best.impl;
      }
    }
  }
}

/**
 * The run settings the CLI hands to every half of the run (this process, the threaded-tfjs child,
 * the Chromium page): BenchOptions' plain fields, with the workload / implementation filters as
 * regex sources (they cross a process or page boundary as JSON).
 */
export type HalfConfig = Pick<BenchOptions, 'quick' | 'reps' | 'warmup' | 'warmupMs' | 'minTimeMs' | 'samples' | 'rowBudget'> & {
  /** regex source on workload ids */
  only?: string;
  /** regex source on implementation ids */
  impl?: string;
};

/** The workloads such a half runs: quick or full, filtered by `only`. */
export function halfWorkloads(cfg: HalfConfig): Workload[] {
  const only = cfg.only ? new RegExp(cfg.only) : null;
  return (cfg.quick ? quickWorkloads() : fullWorkloads()).filter((w) => !only || only.test(w.id));
}

/** runBench with a half's settings, progress as "progress done/total task" lines on `log`. */
export function runHalf(cfg: HalfConfig, impls: Impl[], log: (s: string) => void): Promise<RowResult[]> {
  return runBench(halfWorkloads(cfg), impls, { ...cfg, onProgress: (done, total, task) => log(`progress ${done}/${total} ${task}`), log });
}
