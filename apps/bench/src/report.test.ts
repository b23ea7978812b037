import { describe, expect, it } from 'vitest';
import type { RowResult } from './bench.js';
import { chart } from './report.js';

function row(impl: string, rate: number | undefined, rateBest: number | undefined, status: RowResult['status'] = 'ok', group: RowResult['group'] = 'convkit'): RowResult {
  return { workload: 'w', title: 'conv 3x3', kind: 'conv', impl, group, engine: 'e', status, flops: 1e9, bytes: 0, rate, rateBest, unit: 'GFLOP/s' } as RowResult;
}

const ticks = (svg: string) => [...svg.matchAll(/<text class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
const tickX = (svg: string) => [...svg.matchAll(/<text class="tick" x="([^"]*)"/g)].map((m) => Number(m[1]));
/** The widths of the median bars (the opaque rects), in row order. */
const medianBars = (svg: string) => [...svg.matchAll(/<rect x="250" y="[^"]*" width="([^"]*)" height="18" fill="[^"]*"><title>median/g)].map((m) => Number(m[1]));

describe('bench report bar chart', () => {
  it('puts the rate axis ticks at round values from 0 (1, 2 or 5 x 10^k steps) past the best rate', () => {
    const svg = chart([row('convkit:js', 2.74, 2.9), row('tfjs:cpu', 1.65, 1.7, 'ok', 'peer'), row('convkit:wasm', 2.2, 2.31)]);
    expect(ticks(svg)).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0', '2.5', '3.0']);
    for (const [best, want] of [
      [7.3, ['0', '1', '2', '3', '4', '5', '6', '7', '8']],
      [0.0461, ['0.00', '0.01', '0.02', '0.03', '0.04', '0.05']],
      [143, ['0', '20', '40', '60', '80', '100', '120', '140', '160']],
      [1180, ['0', '200', '400', '600', '800', '1,000', '1,200']],
    ] as const) {
      expect(ticks(chart([row('a', best / 2, best)])), String(best)).toEqual(want);
    }
    // evenly spaced across the 520 px bar area starting at the label column
    const xs = tickX(svg);
    expect(xs[0]).toBe(250);
    expect(xs[xs.length - 1]).toBe(770);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeCloseTo(520 / 6, 0);
  });

  it('draws bars proportional to the rates on that axis, fastest first, and says why a row has none', () => {
    const svg = chart([row('b', 1.65, 1.7), row('a', 2.74, 2.9), row('c', undefined, undefined, 'mismatch')]);
    // axis 0..3 over 520 px
    expect(medianBars(svg)).toEqual([Number(((2.74 / 3) * 520).toFixed(1)), Number(((1.65 / 3) * 520).toFixed(1))]);
    expect(svg.indexOf('>a</text>')).toBeLessThan(svg.indexOf('>b</text>'));
    expect(svg).toContain('2.74 GFLOP/s');
    expect(svg).toContain('1.65 GFLOP/s');
    expect(svg).toMatch(/fill="#dc2626">mismatch: </);
  });

  it('draws no axis when nothing was timed (quick mode)', () => {
    const svg = chart([row('a', undefined, undefined, 'checked'), row('b', undefined, undefined, 'checked')]);
    expect(ticks(svg)).toEqual([]);
    expect(svg.match(/correct \(quick mode, not timed\)/g)?.length).toBe(2);
  });
});
