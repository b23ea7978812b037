/**
 * `--repeat N`: the whole comparison runs N times, interleaved (round 1 runs every row once, then
 * round 2, ...), so that a slow minute of the shared machine lands on every row alike. Within a
 * round the units (each Node implementation, the threaded-tfjs child, the browser half) run in an
 * order that changes per round (`roundOrder`: rotated, the middle shuffled with a fixed seed), so no
 * unit always runs first or last. Each row is reported as the median of its N medians with the
 * spread (min-max, and the IQR), and the ratios (vs convkit:js, vs the best peer, vs the baseline,
 * and the best convkit CPU row over the baseline, tfjs:wasm-threads and onnxruntime:cpu per
 * workload) are computed within each round and reported as median with spread.
 */
import type { RowResult } from './bench.js';
import { mulberry32 } from './data.js';

/** Median, quartiles and range of a sample (linear interpolation between order statistics). */
export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** undefined for an empty sample */
export function spread(xs: number[]): Spread | undefined {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return { n: s.length, median: quantile(s, 0.5), min: s[0]!, max: s[s.length - 1]!, q1: quantile(s, 0.25), q3: quantile(s, 0.75) };
}

/** Per row across the repeats. */
export interface RowRepeats {
  /** repeats run */
  n: number;
  /** repeats in which the row was timed ('ok') */
  timed: number;
  /** the row's median time in each timed repeat, ms, in run order */
  mediansMs: number[];
  medianMs?: Spread;
  /** the rate at each statistic of `medianMs` (median: the rate at the median time; min: at the slowest) */
  rate?: Spread;
  vsJs?: Spread;
  vsBestPeer?: Spread;
  vsBaseline?: Spread;
}

/** Per workload: the fastest convkit CPU row of each repeat over the baseline of that repeat. */
export interface BestCpuRatio {
  workload: string;
  baseline: string;
  ratio?: Spread;
  /** the row that was fastest, per repeat */
  best: string[];
  /** why there is no ratio */
  reason?: string;
}

export interface RepeatSummary {
  repeats: number;
  baseline: string;
  bestCpuVsBaseline: BestCpuRatio[];
  /**
   * The same ratio over the other reference rows (`REFERENCE_ROWS`: tfjs:wasm-threads,
   * onnxruntime:cpu) that are not the baseline and have a row in the run; per workload, then per
   * reference (`baseline` names the reference).
   */
  bestCpuVsPeers: BestCpuRatio[];
  /** `--repeat N` (N >= 2): the seed and the unit order of every round, as run */
  order?: { seed: number; rounds: string[][] };
}

/** The rows the best convkit CPU row is also compared with, beside the baseline. */
export const REFERENCE_ROWS = ['tfjs:wasm-threads', 'onnxruntime:cpu'] as const;

/** The seed of the per-round order (fixed: the same command runs the same schedule). */
export const ORDER_SEED = 21;

/**
 * The order of `n` units in round `round` (0-based) of `--repeat`, as indices into the canonical
 * order. Round 0 is the canonical order (so a single run is the run it always was). Round r >= 1 is
 * a rotation with the middle shuffled: it starts with unit r mod n and ends with unit (r - 1) mod n,
 * so over n rounds every unit runs first once and last once, and the n - 2 units in between are in a
 * Fisher-Yates shuffle drawn from mulberry32(seed + r), so no unit keeps the same neighbours.
 */
export function roundOrder(n: number, round: number, seed = ORDER_SEED): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`roundOrder: n must be a whole number >= 0, got ${n}`);
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`roundOrder: round must be a whole number >= 0, got ${round}`);
  const idx = Array.from({ length: n }, (_, i) => i);
  if (round === 0 || n < 2) return idx;
  const first = round % n;
  const last = (round - 1) % n;
  const mid = idx.filter((i) => i !== first && i !== last);
  const rnd = mulberry32((seed + round) >>> 0);
  for (let i = mid.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [mid[i], mid[j]] = [mid[j]!, mid[i]!];
  }
  return [first, ...mid, last];
}

/**
 * Splits a round's units into the pieces that run as one call: consecutive units of the same kind
 * where `joins(kind)` (the Node implementations: one runBench call over them, in that order), every
 * other unit alone.
 */
export function segments<T extends { kind: string }>(units: T[], joins: (kind: string) => boolean): T[][] {
  const out: T[][] = [];
  for (const u of units) {
    const prev = out[out.length - 1];
    if (prev && joins(u.kind) && prev[0]!.kind === u.kind) prev.push(u);
    else out.push([u]);
  }
  return out;
}

const key = (r: RowResult) => `${r.workload}\u0000${r.impl}`;

/**
 * A convkit row computed on the CPU in Node: not a GPU mode (a row with an adapter: WebGPU, GL),
 * not the browser half (`@chromium`, another process and engine).
 */
export function isCpuRow(r: RowResult): boolean {
  return r.group === 'convkit' && !r.impl.includes('@') && r.adapter === undefined && !/gpujs:(webgpu|webgl2?|headlessgl)/.test(r.impl);
}

/** Sets `vsBaseline` (rate over the baseline row of the same workload) on the timed rows of one run. */
export function addBaselineRatios(rows: RowResult[], baseline: string): void {
  const base = new Map(rows.filter((r) => r.impl === baseline && r.status === 'ok').map((r) => [r.workload, r.rate!]));
  for (const r of rows) {
    const b = base.get(r.workload);
    if (r.status === 'ok' && b) r.vsBaseline = r.rate! / b;
  }
}

/** The fastest convkit CPU row of one run per workload over the reference row of that run. */
function bestCpuOfRun(rows: RowResult[], workload: string, baseline: string): { ratio?: number; best?: string } {
  const base = rows.find((r) => r.workload === workload && r.impl === baseline && r.status === 'ok');
  const cpu = rows.filter((r) => r.workload === workload && r.status === 'ok' && isCpuRow(r)).sort((a, b) => b.rate! - a.rate!)[0];
  if (!cpu) return {};
  return { best: cpu.impl, ratio: base ? cpu.rate! / base.rate! : undefined };
}

/**
 * Combines the rows of N runs (each already with its ratios) into one row per workload x
 * implementation, in the order of the first run. A row that failed (mismatch, error) in any run is
 * reported failed, naming the run; a row timed in some runs only is reported from those runs.
 */
export function combineRepeats(runs: RowResult[][], baseline: string): { rows: RowResult[]; summary: RepeatSummary } {
  const n = runs.length;
  for (const rs of runs) addBaselineRatios(rs, baseline);
  const byKey = new Map<string, RowResult[]>();
  const order: string[] = [];
  for (const rs of runs)
    for (const r of rs) {
      const k = key(r);
      if (!byKey.has(k)) (byKey.set(k, []), order.push(k));
      byKey.get(k)!.push(r);
    }
  const rows: RowResult[] = [];
  for (const k of order) {
    const all = byKey.get(k)!;
    const bad = all.findIndex((r) => r.status === 'mismatch' || r.status === 'error');
    const timed = all.filter((r) => r.status === 'ok');
    const rep: RowRepeats = { n, timed: timed.length, mediansMs: timed.map((r) => r.medianMs!) };
    let row: RowResult;
    if (bad >= 0) {
      row = { ...all[bad]!, reason: `${all[bad]!.reason ?? ''} (repeat ${runs.findIndex((rs) => rs.includes(all[bad]!)) + 1} of ${n})` };
    } else if (timed.length === 0) {
      row = { ...all[0]! };
    } else {
      const t0 = timed[0]!;
      const amount = t0.unit === 'GB/s' ? t0.bytes : t0.flops;
      rep.medianMs = spread(rep.mediansMs);
      // the rate at the median / min / max / quartile times, so that for an even N too the rate's
      // median is the row's rate (amount / median of the medians), as in the main table
      const m = rep.medianMs!;
      const at = (ms: number) => amount / (ms * 1e6);
      rep.rate = { n: m.n, median: at(m.median), min: at(m.max), max: at(m.min), q1: at(m.q3), q3: at(m.q1) };
      rep.vsJs = spread(timed.filter((r) => r.vsJs !== undefined).map((r) => r.vsJs!));
      rep.vsBestPeer = spread(timed.filter((r) => r.vsBestPeer !== undefined).map((r) => r.vsBestPeer!));
      rep.vsBaseline = spread(timed.filter((r) => r.vsBaseline !== undefined).map((r) => r.vsBaseline!));
      const minMs = Math.min(...timed.map((r) => r.minMs!));
      row = {
        ...t0,
        firstMs: spread(all.filter((r) => r.firstMs !== undefined).map((r) => r.firstMs!))?.median,
        medianMs: rep.medianMs!.median,
        minMs,
        timesMs: timed.flatMap((r) => r.timesMs ?? []),
        rate: amount / (rep.medianMs!.median * 1e6),
        rateBest: amount / (minMs * 1e6),
        vsJs: rep.vsJs?.median,
        vsBestPeer: rep.vsBestPeer?.median,
        vsBaseline: rep.vsBaseline?.median,
      };
      if (timed.length < n) row.reason = `timed in ${timed.length} of ${n} repeats`;
    }
    row.repeat = rep;
    rows.push(row);
  }
  return { rows, summary: summarize(runs, baseline) };
}

/** Per workload: the best convkit CPU row of each run over the `reference` row of the same run. */
function bestCpuRatio(runs: RowResult[][], w: string, reference: string): BestCpuRatio {
  const per = runs.map((rs) => bestCpuOfRun(rs, w, reference));
  const ratios = per.filter((p) => p.ratio !== undefined).map((p) => p.ratio!);
  const best = per.map((p) => p.best ?? '-');
  const out: BestCpuRatio = { workload: w, baseline: reference, best, ratio: spread(ratios) };
  if (!out.ratio) {
    out.reason = per.every((p) => !p.best) ? 'no timed convkit CPU row' : `no timed ${reference} row`;
  }
  return out;
}

/**
 * The per-workload best-CPU-row ratios (also for a single run: N = 1, no spread): over the baseline,
 * and over each of REFERENCE_ROWS that is not the baseline and has a row in the runs.
 */
export function summarize(runs: RowResult[][], baseline: string): RepeatSummary {
  const workloads = [...new Set(runs.flatMap((rs) => rs.map((r) => r.workload)))];
  const bestCpuVsBaseline = workloads.map((w) => bestCpuRatio(runs, w, baseline));
  const peers = REFERENCE_ROWS.filter((id) => id !== baseline && runs.some((rs) => rs.some((r) => r.impl === id)));
  const bestCpuVsPeers = workloads.flatMap((w) => peers.map((id) => bestCpuRatio(runs, w, id)));
  return { repeats: runs.length, baseline, bestCpuVsBaseline, bestCpuVsPeers };
}
