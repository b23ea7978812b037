import { describe, expect, it } from 'vitest';
import { refCol2im, refIm2col, type Im2colOptions, type PadMode } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

const PADS: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

describe('col2im (js) vs float64 reference', () => {
  const r = rng(51);
  const opts: [string, [number, number, number, number], Im2colOptions][] = [];
  for (const padMode of PADS) {
    opts.push([`3x3 same ${padMode}`, [2, 3, 5, 6], { kernel: 3, padMode }]);
    opts.push([`2x3 stride [2,1] ${padMode}`, [1, 2, 7, 5], { kernel: [2, 3], stride: [2, 1], padMode }]);
    opts.push([`3x3 dilation 2 pad 3 ${padMode}`, [2, 2, 5, 4], { kernel: 3, dilation: 2, padding: 3, padMode }]);
    // the widest padding core accepts per mode (reflect: size - 1, circular: size, as PyTorch)
    const wide = padMode === 'reflect' ? 2 : padMode === 'circular' ? 3 : 4;
    opts.push([`5x5 pad ${wide} on 3x3 image ${padMode}`, [1, 1, 3, 3], { kernel: 5, padding: wide, padMode }]);
  }
  for (const [name, shape, o] of opts) {
    it(name, async () => {
      const ctx = await jsContext();
      const colShape = refIm2col({ data: new Float32Array(shape.reduce((a, b) => a * b)), shape }, o).shape;
      const cs = rand(colShape.reduce((a, b) => a * b), r);
      const y = await ctx.col2im(ctx.tensor(cs, colShape), { ...o, inputShape: shape });
      const ref = refCol2im({ data: cs, shape: colShape }, { ...o, inputShape: shape });
      expect(y.shape).toEqual(shape);
      expectClose(await y.read(), ref.data, name);
    });
  }

  it('is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)> for every pad mode', async () => {
    const ctx = await jsContext();
    for (const padMode of PADS) {
      const shape: [number, number, number, number] = [2, 2, 5, 4];
      const o: Im2colOptions = { kernel: 3, stride: [1, 2], padding: 2, padMode };
      const xs = rand(40 * 2, r);
      const cols = await (await ctx.im2col(ctx.tensor(xs, shape), o)).read();
      const cs = rand(cols.length, r);
      const colShape = refIm2col({ data: xs, shape }, o).shape;
      const back = await (await ctx.col2im(ctx.tensor(cs, colShape), { ...o, inputShape: shape })).read();
      let lhs = 0, rhs = 0;
      for (let i = 0; i < cols.length; i++) lhs += cols[i]! * cs[i]!;
      for (let i = 0; i < xs.length; i++) rhs += xs[i]! * back[i]!;
      expect(Math.abs(lhs - rhs), padMode).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    }
  });
});
