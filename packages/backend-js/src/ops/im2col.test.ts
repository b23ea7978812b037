import { describe, expect, it } from 'vitest';
import { refIm2col, type Im2colOptions, type PadMode } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

const PADS: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

describe('im2col (js) vs float64 reference', () => {
  const r = rng(41);
  const opts: [string, [number, number, number, number], Im2colOptions][] = [];
  for (const padMode of PADS) {
    opts.push([`3x3 same ${padMode}`, [2, 3, 5, 6], { kernel: 3, padMode }]);
    opts.push([`4x2 same stride 2 ${padMode}`, [1, 2, 7, 5], { kernel: [4, 2], stride: 2, padMode }]);
    opts.push([`3x3 dilation 2 pad [2,3,1,0] ${padMode}`, [2, 2, 6, 6], { kernel: 3, dilation: 2, padding: [2, 3, 1, 0], padMode }]);
    // padding wider than the image: exercises repeated wrap / reflect
    // the widest padding core accepts per mode (reflect: size - 1, circular: size, as PyTorch)
    const wide = padMode === 'reflect' ? 2 : padMode === 'circular' ? 3 : 4;
    opts.push([`5x5 pad ${wide} on 3x3 image ${padMode}`, [1, 1, 3, 3], { kernel: 5, padding: wide, padMode }]);
  }
  opts.push(['valid 2x2 stride 2', [3, 2, 4, 6], { kernel: 2, stride: 2, padding: 'valid' }]);
  for (const [name, shape, o] of opts) {
    it(name, async () => {
      const ctx = await jsContext();
      const xs = rand(shape.reduce((a, b) => a * b), r);
      const y = await ctx.im2col(ctx.tensor(xs, shape), o);
      const ref = refIm2col({ data: xs, shape }, o);
      expect(y.shape).toEqual(ref.shape);
      // a copy: exact
      expectClose(await y.read(), ref.data, name, { atol: 0, rtol: 0 });
    });
  }
});
