import { describe, expect, it } from 'vitest';
import { addRatios, type RowResult } from './bench.js';
import { combineRepeats, isCpuRow, ORDER_SEED, roundOrder, segments, spread, summarize } from './repeat.js';
import { bestCpuLines, repeatTable, type Report } from './report.js';

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

  it('an even N: the median time is the mean of the middle two, and the rate is taken at it (not the median of the rates)', () => {
    const { rows } = combineRepeats([[row('A', 'convkit:js', 10)], [row('A', 'convkit:js', 20)]], 'tfjs:wasm-threads');
    const js = rows[0]!;
    expect(js.medianMs).toBe(15);
    // 2000 / 15 = 133.33, while the rates of the two rounds (200, 100) have the median 150
    expect(js.rate).toBeCloseTo(2000 / 15, 9);
    expect(js.repeat!.rate).toMatchObject({ n: 2, min: 100, max: 200 });
    expect(js.repeat!.rate!.median).toBeCloseTo(2000 / 15, 9);
    expect(js.repeat!.rate!.q1).toBeCloseTo(2000 / 17.5, 9);
    expect(js.repeat!.rate!.q3).toBeCloseTo(2000 / 12.5, 9);
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

describe('roundOrder (the interleaving order of a round)', () => {
  it('round 0 is the canonical order, for any n', () => {
    expect(roundOrder(0, 0)).toEqual([]);
    expect(roundOrder(1, 0)).toEqual([0]);
    expect(roundOrder(6, 0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(roundOrder(1, 5)).toEqual([0]);
  });

  it('round r starts with unit r mod n and ends with unit (r - 1) mod n (n = 2, 3: nothing left to shuffle)', () => {
    expect([1, 2, 3, 4].map((r) => roundOrder(2, r))).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    expect([1, 2, 3, 4].map((r) => roundOrder(3, r))).toEqual([
      [1, 2, 0],
      [2, 0, 1],
      [0, 1, 2],
      [1, 2, 0],
    ]);
  });

  it('n = 5: a permutation each round; over rounds 1..5 every unit runs first once and last once; the middle is shuffled, the same for the same seed', () => {
    const rounds = [1, 2, 3, 4, 5].map((r) => roundOrder(5, r));
    for (const o of rounds) expect([...o].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(rounds.map((o) => o[0])).toEqual([1, 2, 3, 4, 0]);
    expect(rounds.map((o) => o[4])).toEqual([0, 1, 2, 3, 4]);
    // the middle three of round r are the units other than r mod 5 and (r - 1) mod 5
    expect([...rounds[0]!.slice(1, 4)].sort()).toEqual([2, 3, 4]);
    expect(rounds).toEqual([1, 2, 3, 4, 5].map((r) => roundOrder(5, r, ORDER_SEED)));
    // not a plain rotation in every round: some round's middle is out of cyclic order
    const rotation = (r: number) => Array.from({ length: 5 }, (_, i) => (r + i) % 5);
    const seeds = [ORDER_SEED, 1, 2, 3];
    expect(seeds.some((seed) => [1, 2, 3, 4, 5].some((r) => roundOrder(5, r, seed).join() !== rotation(r).join()))).toBe(true);
    // and the seed decides the middle: some seed gives another order than the default
    expect(seeds.slice(1).some((seed) => [1, 2, 3, 4, 5].some((r) => roundOrder(5, r, seed).join() !== roundOrder(5, r).join()))).toBe(true);
  });

  it('bad arguments are RangeErrors', () => {
    expect(() => roundOrder(-1, 0)).toThrow(RangeError);
    expect(() => roundOrder(2.5, 0)).toThrow(RangeError);
    expect(() => roundOrder(3, -1)).toThrow(RangeError);
  });
});

describe('segments (what runs as one call in a round)', () => {
  it('consecutive Node units join; the child and the browser half run alone', () => {
    const u = (kind: string, i: number) => ({ kind, i });
    const order = [u('node', 2), u('node', 0), u('child', 4), u('node', 1), u('node', 3), u('browser', 5)];
    expect(segments(order, (k) => k === 'node').map((s) => s.map((x) => x.i))).toEqual([[2, 0], [4], [1, 3], [5]]);
    expect(segments([u('child', 0), u('child', 1)], (k) => k === 'node').map((s) => s.map((x) => x.i))).toEqual([[0], [1]]);
    expect(segments([], () => true)).toEqual([]);
  });
});

describe('best convkit CPU row vs tfjs:wasm-threads and onnxruntime:cpu, per round', () => {
  // rates: 2000 / ms. Round 1: wasm 5 ms (400), workers 4 ms (500), tfjs threads 4 ms, ort 2 ms;
  // round 2: wasm 4, workers 8, tfjs threads 8, ort 1; round 3: wasm 6, workers 5, tfjs threads 3, ort 2.5
  const runs = [
    [row('A', 'convkit:wasm', 5), row('A', 'convkit:workers', 4), row('A', 'tfjs:wasm-threads', 4), row('A', 'onnxruntime:cpu', 2)],
    [row('A', 'convkit:wasm', 4), row('A', 'convkit:workers', 8), row('A', 'tfjs:wasm-threads', 8), row('A', 'onnxruntime:cpu', 1)],
    [row('A', 'convkit:wasm', 6), row('A', 'convkit:workers', 5), row('A', 'tfjs:wasm-threads', 3), row('A', 'onnxruntime:cpu', 2.5)],
  ];

  it('the fastest convkit CPU row of each round over each reference of the same round', () => {
    const { summary } = combineRepeats(structuredClone(runs), 'tfjs:wasm-threads');
    // fastest: workers (4 ms), wasm (4 ms), workers (5 ms)
    // vs tfjs:wasm-threads: 4/4 = 1, 8/4 = 2, 3/5 = 0.6 -> median 1 [0.6-2]
    const b = summary.bestCpuVsBaseline[0]!;
    expect(b.best).toEqual(['convkit:workers', 'convkit:wasm', 'convkit:workers']);
    expect(b.ratio).toMatchObject({ n: 3, median: 1, max: 2 });
    expect(b.ratio!.min).toBeCloseTo(0.6, 12);
    // vs onnxruntime:cpu: 2/4 = 0.5, 1/4 = 0.25, 2.5/5 = 0.5 -> median 0.5 [0.25-0.5]
    expect(summary.bestCpuVsPeers).toHaveLength(1);
    const o = summary.bestCpuVsPeers[0]!;
    expect(o).toMatchObject({ workload: 'A', baseline: 'onnxruntime:cpu', best: ['convkit:workers', 'convkit:wasm', 'convkit:workers'] });
    expect(o.ratio!.median).toBeCloseTo(0.5, 12);
    expect(o.ratio!.min).toBeCloseTo(0.25, 12);
    expect(o.ratio!.max).toBeCloseTo(0.5, 12);
  });

  it('each row vs the baseline per round: medians of the per-round ratios, not a ratio of medians', () => {
    const { rows } = combineRepeats(structuredClone(runs), 'tfjs:wasm-threads');
    const wasm = rows.find((r) => r.impl === 'convkit:wasm')!;
    // 4/5 = 0.8, 8/4 = 2, 3/6 = 0.5 -> median 0.8 [0.5-2]
    expect(wasm.repeat!.vsBaseline).toMatchObject({ median: 0.8, min: 0.5, max: 2 });
    const workers = rows.find((r) => r.impl === 'convkit:workers')!;
    // 4/4 = 1, 8/8 = 1, 3/5 = 0.6 -> median 1, while the ratio of the median times is 4/5 = 0.8
    expect(workers.repeat!.vsBaseline!.median).toBe(1);
    expect(workers.medianMs! / rows.find((r) => r.impl === 'tfjs:wasm-threads')!.medianMs!).toBe(1.25);
  });

  it('another baseline: tfjs:wasm-threads and onnxruntime:cpu both become peers; a reference absent from the run is left out', () => {
    const s = summarize(structuredClone(runs), 'convkit:wasm');
    expect(s.bestCpuVsPeers.map((p) => p.baseline)).toEqual(['tfjs:wasm-threads', 'onnxruntime:cpu']);
    const noOrt = structuredClone(runs).map((rs) => rs.filter((r) => r.impl !== 'onnxruntime:cpu'));
    expect(summarize(noOrt, 'tfjs:wasm-threads').bestCpuVsPeers).toEqual([]);
  });

  it('console / report lines: the repeat table (vs best peer, round order) and one line per reference', () => {
    // vs js and vs best peer come from each run (addRatios, as runBench leaves them); there is no convkit:js row
    const { rows, summary } = combineRepeats(structuredClone(runs).map((rs) => (addRatios(rs), rs)), 'tfjs:wasm-threads');
    summary.order = { seed: ORDER_SEED, rounds: [['a', 'b'], ['b', 'a'], ['a', 'b']] };
    const rep: Report = {
      tool: 'convkit-bench',
      mode: 'full',
      machine: {} as Report['machine'],
      settings: { reps: 7, warmup: 1, samples: 256, repeat: 3, baseline: 'tfjs:wasm-threads' },
      skipped: [],
      notes: [],
      summary,
      rows,
    };
    expect(bestCpuLines(rep)).toEqual([
      'A: best convkit CPU row / tfjs:wasm-threads: 1.00x [0.60-2.00] (fastest: convkit:workers x2, convkit:wasm x1)',
      'A: best convkit CPU row / onnxruntime:cpu: 0.50x [0.25-0.50]',
    ]);
    const t = repeatTable(rep).split('\n');
    expect(t[1]).toBe(`round order (seed ${ORDER_SEED}): 1: a, b; 2: b, a; 3: a, b`);
    expect(t[3]).toMatch(/^workload +implementation +timed +median of medians ms \[min-max\] +rate \[min-max\] +vs js +vs best peer +vs tfjs:wasm-threads$/);
    // convkit:wasm: medians 5, 4, 6 ms -> 5.00 [4.00-6.00]; rate 400 [333-500]; vs best peer (ort) per round 0.4, 0.25, 0.41667
    const wasmLine = t.find((l) => l.startsWith('A  ') && l.includes('convkit:wasm'))!;
    expect(wasmLine.split(/ {2,}/)).toEqual(['A', 'convkit:wasm', '3/3', '5.00 [4.00-6.00]', '400 GFLOP/s [333-500]', '0.40x [0.25-0.42]', '0.80x [0.50-2.00]']);
    // N = 1: no repeat table
    expect(repeatTable({ ...rep, settings: { ...rep.settings, repeat: 1 } })).toBe('');
  });
});
