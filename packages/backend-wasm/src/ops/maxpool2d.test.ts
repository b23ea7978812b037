import { describe, expect, it } from 'vitest';
import { refMaxpool2d, refMaxpool2dBackward } from '@convkit/reference';
import type { Padding } from '@convkit/core';
import { expectClose, rand, rng, wasmContext } from '../test/helpers.js';

const CASES: Array<{ name: string; shape: [number, number, number, number]; kernel: [number, number]; stride?: [number, number]; padding?: Padding; ceilMode?: boolean; special?: boolean; inf?: boolean }> = [
  { name: '2x2 default (same, stride = kernel)', shape: [2, 3, 8, 9], kernel: [2, 2] },
  { name: '3x3 stride 2 same (window starts at -1)', shape: [1, 2, 11, 10], kernel: [3, 3], stride: [2, 2] },
  { name: '3x3 stride 1 overlapping, valid', shape: [1, 2, 7, 6], kernel: [3, 3], stride: [1, 1], padding: 'valid' },
  { name: '3x2 stride 3x1 ceil mode', shape: [2, 1, 10, 7], kernel: [3, 2], stride: [3, 1], padding: 'valid', ceilMode: true },
  { name: 'ties, all-negative windows and NaN', shape: [1, 2, 6, 6], kernel: [2, 2], special: true },
  { name: '2x2/2 SIMD path: wide rows with ties and NaN (NaN blocks fall back to the scan)', shape: [2, 2, 7, 21], kernel: [2, 2], special: true },
  { name: '2x2/2 SIMD path with padding (valid rows/columns only) and stride 1 rows', shape: [1, 3, 9, 19], kernel: [2, 2], stride: [1, 2], padding: [1, 0, 1, 0] },
  { name: '2x2/2 SIMD path: +Inf and -Inf in one block (NaN sum, no NaN input)', shape: [1, 2, 4, 24], kernel: [2, 2], special: true, inf: true },
  { name: '3x3/2 SIMD path: wide rows with ties and NaN, same padding', shape: [2, 2, 9, 37], kernel: [3, 3], stride: [2, 2], special: true },
  { name: '3x3/2 SIMD path: random, valid, odd width, stride 1 rows', shape: [1, 3, 8, 29], kernel: [3, 3], stride: [1, 2], padding: 'valid' },
  { name: '3x3/2 SIMD path: explicit asymmetric padding, ceil mode', shape: [2, 1, 10, 31], kernel: [3, 3], stride: [2, 2], padding: [0, 1, 2, 0], ceilMode: true },
  { name: '3x3/2 SIMD path: +Inf and -Inf in one block (NaN sum, no NaN input)', shape: [1, 1, 5, 25], kernel: [3, 3], stride: [2, 2], special: true, inf: true },
];

describe('maxpool2d forward/backward vs the float64 reference', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ctx = await wasmContext();
      const r = rng(c.shape.reduce((a, b) => a * b));
      const n = c.shape.reduce((a, b) => a * b);
      const xv = c.special ? Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0.5 : i % 5 === 0 ? -3 : -Math.floor(i / 9))) : rand(n, r);
      if (c.inf) {
        // +Inf and -Inf 4 columns apart (the same SIMD lane of one block): their sum is NaN, no value is
        for (const i of [2, 51]) xv[i] = Infinity;
        for (const i of [6, 55]) xv[i] = -Infinity;
      } else if (c.special) {
        xv[8] = NaN;
        xv[9] = NaN;
        xv[40] = NaN;
      }
      const o = { kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode };
      const x = ctx.tensor(xv, c.shape);
      const { y, indices } = await ctx.maxpool2d(x, o);
      const ref = refMaxpool2d({ data: xv, shape: c.shape }, o);
      expect(y.shape).toEqual(ref.y.shape);
      expect(Array.from(await indices.read())).toEqual(Array.from(ref.indices.data));
      expectClose(await y.read(), ref.y.data, 'y');
      const dyv = rand(y.shape.reduce((a, b) => a * b), r);
      const dx = await ctx.maxpool2dBackward(ctx.tensor(dyv, y.shape), indices, { inputShape: c.shape, ...o });
      const rdx = refMaxpool2dBackward({ data: dyv, shape: y.shape }, ref.indices, c.shape);
      expectClose(await dx.read(), rdx.data, 'dx');
      await ctx.dispose();
    });
  }
});
