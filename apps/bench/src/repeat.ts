/**
 * `--repeat N`: the whole comparison runs N times, interleaved (run 1 of every row, then run 2 of
 * every row, ...), so that a slow minute of the shared machine lands on every row alike. Each row is
 * reported as the median of its N medians with the spread (min-max and IQR), and the ratios (vs
 * convkit:js, vs the best peer, vs the baseline, and the best convkit CPU row over the baseline per
 * workload) are computed within each repeat and reported as median with spread.
 */
import type { RowResult } from './bench.js';

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

/** The fastest convkit CPU row of one run per workload over the baseline of that run. */
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
      rep.rate = spread(timed.map((r) => r.rate!));
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

/** The per-workload best-CPU-row ratios (also for a single run: N = 1, no spread). */
export function summarize(runs: RowResult[][], baseline: string): RepeatSummary {
  const workloads = [...new Set(runs.flatMap((rs) => rs.map((r) => r.workload)))];
  const bestCpuVsBaseline = workloads.map((w): BestCpuRatio => {
    const per = runs.map((rs) => bestCpuOfRun(rs, w, baseline));
    const ratios = per.filter((p) => p.ratio !== undefined).map((p) => p.ratio!);
    const best = per.map((p) => p.best ?? '-');
    const out: BestCpuRatio = { workload: w, baseline, best, ratio: spread(ratios) };
    if (!out.ratio) {
      out.reason = per.every((p) => !p.best) ? 'no timed convkit CPU row' : `no timed ${baseline} row`;
    }
    return out;
  });
  return { repeats: runs.length, baseline, bestCpuVsBaseline };
}
