import { describe, expect, it } from 'vitest';
import { renderCurveHtml, smooth } from './curve.js';

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
});
