import { describe, expect, it } from 'vitest';
import { refCol2im, refIm2col } from '@convkit/reference';
import type { PadMode } from '@convkit/core';
import { expectClose, rand, rng, tol, wasmContext } from '../test/helpers.js';

const MODES: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];
type P = [number, number];
const GEOMS: Array<[P, P, P]> = [
  [[3, 3], [1, 1], [1, 1]],
  [[2, 3], [2, 1], [1, 2]],
];

describe('im2col / col2im vs the float64 reference', () => {
  for (const padMode of MODES) {
    for (const [kernel, stride, dilation] of GEOMS) {
      it(`${padMode} kernel ${kernel} stride ${stride} dilation ${dilation}`, async () => {
        const ctx = await wasmContext();
        const r = rng(kernel[0] * 10 + stride[0]);
        const shape: [number, number, number, number] = [2, 3, 7, 8];
        const xv = rand(2 * 3 * 7 * 8, r);
        const o = { kernel, stride, dilation, padMode };
        const cols = await ctx.im2col(ctx.tensor(xv, shape), o);
        const ref = refIm2col({ data: xv, shape }, o);
        expect(cols.shape).toEqual(ref.shape);
        expectClose(await cols.read(), ref.data, 'im2col');
        const cv = rand(ref.data.length, r);
        const back = await ctx.col2im(ctx.tensor(cv, ref.shape), { ...o, inputShape: shape });
        const rb = refCol2im({ data: cv, shape: ref.shape }, { ...o, inputShape: shape });
        expectClose(await back.read(), rb.data, 'col2im', tol(kernel[0] * kernel[1] * 4));
        await ctx.dispose();
      });
    }
  }
});
