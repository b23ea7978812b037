import { describe, expect, it } from 'vitest';
import { refMaxpool2d, refMaxpool2dBackward, type MaxPoolOptions } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

describe('maxpool2dBackward (js) vs float64 reference', () => {
  const r = rng(71);
  const cases: [string, [number, number, number, number], MaxPoolOptions][] = [
    ['2x2 stride 2', [2, 3, 8, 6], { kernel: 2 }],
    ['3x3 stride 2 same (overlapping windows add up)', [2, 2, 9, 8], { kernel: 3, stride: 2 }],
    ['3x3 stride 1 same (heavy overlap)', [1, 2, 5, 6], { kernel: 3, stride: 1 }],
    ['ceil mode', [2, 2, 7, 7], { kernel: 2, stride: 2, padding: 'valid', ceilMode: true }],
  ];
  for (const [name, shape, o] of cases) {
    it(name, async () => {
      const ctx = await jsContext();
      const xs = rand(shape.reduce((a, b) => a * b), r);
      // ties on purpose: quantized values
      for (let i = 0; i < xs.length; i++) xs[i] = Math.round(xs[i]! * 3) / 3;
      const { y, indices } = await ctx.maxpool2d(ctx.tensor(xs, shape), o);
      const dys = rand(y.size, r);
      const dx = await ctx.maxpool2dBackward(ctx.tensor(dys, y.shape), indices, { ...o, inputShape: shape });
      expect(dx.shape).toEqual(shape);
      const ref = refMaxpool2d({ data: xs, shape }, o);
      const rdx = refMaxpool2dBackward({ data: dys, shape: ref.y.shape }, ref.indices, shape);
      expectClose(await dx.read(), rdx.data, name);
    });
  }
});
