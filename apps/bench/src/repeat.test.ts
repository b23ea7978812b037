import { describe, expect, it } from 'vitest';
import type { RowResult } from './bench.js';
import { combineRepeats, isCpuRow, spread, summarize } from './repeat.js';

const FL = 2e9; // 2 GFLOP per run: rate = 2000 / ms GFLOP/s
function row(workload: string, impl: string, medianMs: number | null, extra: Partial<RowResult> = {}): RowResult {
  const base: RowResult = { workload, title: workload, kind: 'conv', impl, group: impl.startsWith('convkit') ? 'convkit' : 'peer', engine: 'e', status: 'ok', flops: FL, bytes: 0, unit: 'GFLOP/s' };
  if (medianMs === null) return { ...base, status: 'too-slow', reason: 'slow', ...extra };
  return { ...base, medianMs, minMs: medianMs * 0.9, timesMs: [medianMs], firstMs: medianMs * 2, rate: FL / (medianMs * 1e6), rateBest: FL / (medianMs * 0.9 * 1e6), ...extra };
}

describe('spread', () => {
  it('median, quartiles (linear interpolation) and range', () => {
    expect(spread([5, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 5, q1: 2, q3: 4 });
    expect(spread([4, 1, 2, 3])).toEqual({ n: 4, median: 2.5, min: 1, max: 4, q1: 1.75, q3: 3.25 });
    expect(spread([])).toBeUndefined();
  });
});

describe('combineRepeats', () => {
  const runs = [
    [row('A', 'convkit:js', 10), row('A', 'convkit:wasm', 5), row('A', 'convkit:gpujs:webgpu', 1, { adapter: 'swiftshader', software: true }), row('A', 'tfjs:wasm-threads', 4)],
    [row('A', 'convkit:js', 20), row('A', 'convkit:wasm', 4), row('A', 'convkit:gpujs:webgpu', 1, { adapter: 'swiftshader', software: true }), row('A', 'tfjs:wasm-threads', 8)],
    [row('A', 'convkit:js', 12), row('A', 'convkit:wasm', 6), row('A', 'convkit:gpujs:webgpu', 1, { adapter: 'swiftshader', software: true }), row('A', 'tfjs:wasm-threads', 3)],
  ];

  it('median of the medians, spread, and ratios computed within each repeat', () => {
    const { rows, summary } = combineRepeats(structuredClone(runs), 'tfjs:wasm-threads');
    const js = rows.find((r) => r.impl === 'convkit:js')!;
    expect(js.repeat!.mediansMs).toEqual([10, 20, 12]);
    expect(js.medianMs).toBe(12);
    expect(js.repeat!.medianMs).toMatchObject({ median: 12, min: 10, max: 20 });
    expect(js.rate).toBeCloseTo(2000 / 12, 9);
    expect(js.minMs).toBe(9);
    const wasm = rows.find((r) => r.impl === 'convkit:wasm')!;
    // vs baseline per repeat: 4/5, 8/4, 3/6 -> median 0.8
    expect(wasm.repeat!.vsBaseline).toMatchObject({ median: 0.8, min: 0.5, max: 2 });
    expect(wasm.vsBaseline).toBeCloseTo(0.8, 12);
    // best convkit CPU row per repeat: wasm each time (the webgpu row has an adapter: not CPU);
    // ratios 0.8, 2, 0.5 -> median 0.8
    const b = summary.bestCpuVsBaseline.find((x) => x.workload === 'A')!;
    expect(b.best).toEqual(['convkit:wasm', 'convkit:wasm', 'convkit:wasm']);
    expect(b.ratio).toMatchObject({ n: 3, median: 0.8, min: 0.5, max: 2 });
  });

  it('a failure in any repeat fails the row, naming the repeat; untimed repeats are counted', () => {
    const r = structuredClone(runs);
    r[1]![0] = row('A', 'convkit:js', 20, { status: 'mismatch', reason: '3/256 outside tolerance' });
    r[2]![1] = row('A', 'convkit:wasm', null);
    const { rows } = combineRepeats(r, 'tfjs:wasm-threads');
    const js = rows.find((x) => x.impl === 'convkit:js')!;
    expect(js.status).toBe('mismatch');
    expect(js.reason).toBe('3/256 outside tolerance (repeat 2 of 3)');
    const wasm = rows.find((x) => x.impl === 'convkit:wasm')!;
    expect(wasm.status).toBe('ok');
    expect(wasm.repeat).toMatchObject({ n: 3, timed: 2, mediansMs: [5, 4] });
    expect(wasm.medianMs).toBe(4.5);
    expect(wasm.reason).toBe('timed in 2 of 3 repeats');
  });

  it('no baseline row: the ratio is absent with the reason', () => {
    const s = summarize([[row('A', 'convkit:js', 10)]], 'tfjs:wasm-threads');
    expect(s.bestCpuVsBaseline[0]).toMatchObject({ workload: 'A', best: ['convkit:js'], reason: 'no timed tfjs:wasm-threads row' });
    expect(s.bestCpuVsBaseline[0]!.ratio).toBeUndefined();
  });

  it('CPU rows: convkit in Node, no adapter, not a GPU mode, not the browser half', () => {
    expect(isCpuRow(row('A', 'convkit:workers', 1))).toBe(true);
    expect(isCpuRow(row('A', 'convkit:gpujs:webasm', 1))).toBe(true);
    expect(isCpuRow(row('A', 'convkit:gpujs:headlessgl', 1))).toBe(false);
    expect(isCpuRow(row('A', 'convkit:js@chromium', 1))).toBe(false);
    expect(isCpuRow(row('A', 'tfjs:wasm', 1))).toBe(false);
  });
});
