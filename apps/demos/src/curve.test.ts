import { describe, expect, it } from 'vitest';
import { renderCurveHtml, smooth, svgPlot } from './curve.js';

/** The tick labels of one axis of an SVG plot, in document order. */
const ticks = (svg: string, axis: 'x' | 'y') => [...svg.matchAll(new RegExp(`<text class="tick-${axis}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]!);

/** A nice step: 1, 2 or 5 times a power of ten (checked in decimal digits, not floats). */
function isNiceStep(step: number): boolean {
  const e = Math.floor(Math.log10(step));
  const mant = Math.round((step / 10 ** e) * 1e9) / 1e9;
  return [1, 2, 5, 10].includes(mant);
}

describe('training curve page', () => {
  it('smooth is a trailing moving average', () => {
    expect(smooth([1, 2, 3, 4, 5], 2)).toEqual([1, 1.5, 2.5, 3.5, 4.5]);
    expect(smooth([4, 0, 2], 10)).toEqual([4, 2, 2]);
  });

  it('writes a self-contained HTML page with two inline SVG plots and the notes', () => {
    const html = renderCurveHtml({
      title: 'run <1>',
      losses: [2.3, 1.5, 0.9, 0.5],
      accuracy: [[1, 0.9], [2, 0.975]],
      notes: ['test accuracy 97.50%'],
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).toContain('run &lt;1&gt;');
    expect(html).toContain('test accuracy 97.50%');
    expect(html).not.toMatch(/<script|src=|href=/);
    // the accuracy plot has one dot per evaluated epoch
    expect(html.match(/<circle /g)?.length).toBe(2);
  });

  it('puts axis ticks at round values: 1, 2 or 5 x 10^k steps covering the data', () => {
    // the losses of a short run: the old hand-made ticks were 0, 0.55, 1.1, 1.65, 2.20, 2.74
    const losses = [2.74, 2.1, 1.6, 1.2, 0.9, 0.7, 0.55, 0.5];
    const svg = svgPlot({ title: 't', xLabel: 'step', yLabel: 'loss', yMin: 0, series: [{ points: losses.map((l, i) => [i + 1, l] as const), color: 'black', width: 1, label: 'l' }] });
    expect(ticks(svg, 'y')).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0', '2.5', '3.0']);
    expect(ticks(svg, 'x')).toEqual(['0', '2', '4', '6', '8']);
    for (const [lo, hi] of [[0, 2.3], [0.0312, 0.0871], [96.4, 100], [0, 2811], [-3.7, 12.2]] as const) {
      const p = svgPlot({ title: 't', xLabel: 'x', yLabel: 'y', yMin: lo, yMax: hi, series: [{ points: [[0, lo], [1, hi]], color: 'black', width: 1, label: 'l' }] });
      const v = ticks(p, 'y').map((t) => Number(t.replace('\u2212', '-').replace(/,/g, '')));
      expect(v.length, `${lo}..${hi}`).toBeGreaterThanOrEqual(3);
      expect(v.length, `${lo}..${hi}`).toBeLessThanOrEqual(11);
      const step = v[1]! - v[0]!;
      expect(isNiceStep(step), `${lo}..${hi}: step ${step}`).toBe(true);
      for (let i = 1; i < v.length; i++) expect(v[i]! - v[i - 1]!, `${lo}..${hi}`).toBeCloseTo(step, 9);
      // every tick is a whole number of steps, and the ticks span the data (niced domain)
      for (const t of v) expect(Math.abs(t / step - Math.round(t / step)), `${lo}..${hi}: ${t}`).toBeLessThan(1e-6);
      expect(v[0]!, `${lo}..${hi}`).toBeLessThanOrEqual(lo);
      expect(v[v.length - 1]!, `${lo}..${hi}`).toBeGreaterThanOrEqual(hi);
    }
  });

  it('draws the data it is given: one path per series, with a vertex per point at the scaled position', () => {
    const html = renderCurveHtml({ title: 'r', losses: [2.5, 2, 1.5, 1, 0.5], accuracy: [[1, 0.9], [2, 0.95]] });
    const paths = [...html.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);
    expect(paths.length).toBe(3);
    // per-step losses: x 1..5 over the niced x domain [0, 5], y over [0, 2.5]: equal steps in both
    const pts = paths[0]!.split(/[ML]/).filter(Boolean).map((p) => p.split(',').map(Number) as [number, number]);
    expect(pts.length).toBe(5);
    const dx = pts[1]![0] - pts[0]![0];
    const dy = pts[1]![1] - pts[0]![1];
    for (let i = 1; i < 5; i++) {
      expect(pts[i]![0] - pts[i - 1]![0]).toBeCloseTo(dx, 0);
      expect(pts[i]![1] - pts[i - 1]![1]).toBeCloseTo(dy, 0);
    }
    // the accuracy plot's x ticks are the evaluated epochs
    expect(ticks(html.slice(html.lastIndexOf('<svg ')), 'x')).toEqual(['1', '2']);
  });
});
