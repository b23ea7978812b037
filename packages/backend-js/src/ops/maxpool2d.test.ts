import { describe, expect, it } from 'vitest';
import { refMaxpool2d, type MaxPoolOptions } from '@convkit/reference';
import { expectClose, expectSame, jsContext, rand, rng } from '../test/helpers.js';

describe('maxpool2d (js) vs float64 reference', () => {
  const r = rng(61);
  const cases: [string, [number, number, number, number], MaxPoolOptions][] = [
    ['2x2 default (stride = kernel, same)', [2, 3, 8, 8], { kernel: 2 }],
    ['2x2 stride 2 odd size (partial windows skipped)', [2, 2, 7, 9], { kernel: 2, stride: 2 }],
    ['3x3 stride 2 same (window starts at -1)', [2, 2, 9, 8], { kernel: 3, stride: 2 }],
    ['3x3 stride 1 same', [1, 2, 5, 6], { kernel: 3, stride: 1 }],
    ['4x4 stride 2 same', [1, 1, 9, 10], { kernel: 4, stride: 2 }],
    ['3x2 stride [1,2] valid', [2, 2, 6, 7], { kernel: [3, 2], stride: [1, 2], padding: 'valid' }],
    ['explicit padding [1,0,2,1]', [1, 2, 5, 5], { kernel: 3, stride: 2, padding: [1, 0, 2, 1] }],
    ['ceil mode', [2, 2, 7, 7], { kernel: 2, stride: 2, padding: 'valid', ceilMode: true }],
    ['ceil mode with padding, 3x3 stride 2', [1, 3, 8, 6], { kernel: 3, stride: 2, padding: 1, ceilMode: true }],
    ['2x2/2 fast path large', [2, 8, 32, 32], { kernel: 2, stride: 2, padding: 'valid' }],
  ];
  for (const [name, shape, o] of cases) {
    it(name, async () => {
      const ctx = await jsContext();
      const xs = rand(shape.reduce((a, b) => a * b), r);
      const { y, indices } = await ctx.maxpool2d(ctx.tensor(xs, shape), o);
      const ref = refMaxpool2d({ data: xs, shape }, o);
      expect(y.shape).toEqual(ref.y.shape);
      expect(indices.dtype).toBe('int32');
      const ind = await indices.read();
      expect(ind).toBeInstanceOf(Int32Array);
      expectSame(ind, ref.indices.data, `${name} indices`);
      expectClose(await y.read(), ref.y.data, name, { atol: 0, rtol: 0 });
    });
  }

  it('ties go to the first maximum in row-major order (fast 2x2 path and generic path)', async () => {
    const ctx = await jsContext();
    const xs = new Float32Array(4 * 4).fill(1); // every window all ties
    for (const o of [{ kernel: 2 }, { kernel: 3, stride: 2 }, { kernel: 2, stride: 1, padding: 'valid' as const }]) {
      const { indices } = await ctx.maxpool2d(ctx.tensor(xs, [1, 1, 4, 4]), o);
      const ref = refMaxpool2d({ data: xs, shape: [1, 1, 4, 4] }, o);
      expectSame(await indices.read(), ref.indices.data, JSON.stringify(o));
    }
    const { indices } = await ctx.maxpool2d(ctx.tensor(xs, [1, 1, 4, 4]), { kernel: 2 });
    expect(Array.from(await indices.read())).toEqual([0, 2, 8, 10]);
  });

  it('NaN propagates (index of the last NaN), -Infinity and +Infinity windows', async () => {
    const ctx = await jsContext();
    const xs = new Float32Array([
      NaN, 1, 5, -Infinity,
      2, NaN, -Infinity, -Infinity,
      Infinity, 3, 0, 0,
      -Infinity, 1, 0, -0,
    ]);
    for (const o of [{ kernel: 2 }, { kernel: 3, stride: 1 }, { kernel: 2, stride: 1, padding: 'valid' as const }]) {
      const { y, indices } = await ctx.maxpool2d(ctx.tensor(xs, [1, 1, 4, 4]), o);
      const ref = refMaxpool2d({ data: xs, shape: [1, 1, 4, 4] }, o);
      expectSame(await indices.read(), ref.indices.data, `indices ${JSON.stringify(o)}`);
      expectClose(await y.read(), ref.y.data, `y ${JSON.stringify(o)}`, { atol: 0, rtol: 0 });
    }
    const { y, indices } = await ctx.maxpool2d(ctx.tensor(xs, [1, 1, 4, 4]), { kernel: 2 });
    const yv = await y.read();
    expect(Number.isNaN(yv[0]!)).toBe(true);
    expect(Array.from(yv.slice(1))).toEqual([5, Infinity, 0]);
    expect(Array.from(await indices.read())).toEqual([5, 2, 8, 10]);
  });

  it('random NaNs in a large tensor match the reference exactly', async () => {
    const ctx = await jsContext();
    const xs = rand(2 * 4 * 16 * 16, r);
    for (let i = 0; i < xs.length; i += 37) xs[i] = NaN;
    for (const o of [{ kernel: 2 }, { kernel: 3, stride: 2 }]) {
      const { y, indices } = await ctx.maxpool2d(ctx.tensor(xs, [2, 4, 16, 16]), o);
      const ref = refMaxpool2d({ data: xs, shape: [2, 4, 16, 16] }, o);
      expectSame(await indices.read(), ref.indices.data, 'indices');
      expectClose(await y.read(), ref.y.data, 'y', { atol: 0, rtol: 0 });
    }
  });
});
