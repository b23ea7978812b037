import { describe, expect, it } from 'vitest';
import { refConv2d, refConv1d, type ConvOptions, type PadMode } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

const PADS: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  o: ConvOptions;
  bias?: boolean;
}

const cases: Case[] = [];
for (const padMode of PADS) {
  cases.push({ name: `3x3 same ${padMode}`, x: [2, 3, 7, 9], w: [4, 3, 3, 3], o: { padMode }, bias: true });
  cases.push({ name: `even 4x2 same ${padMode}`, x: [1, 2, 6, 5], w: [3, 2, 4, 2], o: { padMode } });
  cases.push({ name: `5x3 stride [2,3] ${padMode}`, x: [2, 2, 9, 11], w: [2, 2, 5, 3], o: { padMode, stride: [2, 3] }, bias: true });
  cases.push({ name: `dilation 2 explicit pad ${padMode}`, x: [1, 3, 8, 8], w: [2, 3, 3, 3], o: { padMode, dilation: 2, padding: [2, 1, 0, 3] } });
  cases.push({ name: `groups 2 flip ${padMode}`, x: [2, 4, 6, 7], w: [6, 2, 3, 2], o: { padMode, groups: 2, flip: true }, bias: true });
  cases.push({ name: `depthwise ${padMode}`, x: [2, 4, 6, 6], w: [4, 1, 3, 3], o: { padMode, groups: 4 }, bias: true });
  cases.push({ name: `depthwise 3x3 dilation [2,1] stride [1,2] ${padMode}`, x: [2, 2, 7, 8], w: [2, 1, 3, 3], o: { padMode, groups: 2, dilation: [2, 1], stride: [1, 2] } });
  cases.push({ name: `depthwise 5x3 ${padMode}`, x: [1, 2, 6, 7], w: [2, 1, 5, 3], o: { padMode, groups: 2 }, bias: true });
  cases.push({ name: `C=1 K=6 5x5 (one channel, GEMM path) ${padMode}`, x: [3, 1, 9, 8], w: [6, 1, 5, 5], o: { padMode }, bias: true });
  cases.push({ name: `depthwise x2 multiplier stride 2 flip ${padMode}`, x: [1, 3, 7, 6], w: [6, 1, 3, 3], o: { padMode, groups: 3, stride: 2, flip: true } });
}
// Winograd F(2x2,3x3) path (3x3, stride 1, dilation 1, >= 8 channels and filters per group)
for (const padMode of PADS) {
  cases.push({ name: `winograd same odd sizes ${padMode}`, x: [2, 8, 7, 9], w: [8, 8, 3, 3], o: { padMode }, bias: true });
  cases.push({ name: `winograd explicit pad [2,0,1,2] ${padMode}`, x: [1, 9, 6, 5], w: [10, 9, 3, 3], o: { padMode, padding: [2, 0, 1, 2] } });
  cases.push({ name: `winograd groups 2 flip ${padMode}`, x: [2, 16, 5, 6], w: [16, 8, 3, 3], o: { padMode, groups: 2, flip: true }, bias: true });
}
cases.push(
  { name: 'winograd valid, 2x2 output', x: [1, 8, 4, 4], w: [8, 8, 3, 3], o: { padding: 'valid' } },
  { name: 'winograd valid, 1-wide output column pairs (odd 3x5 output)', x: [3, 12, 5, 7], w: [9, 12, 3, 3], o: { padding: 'valid' }, bias: true },
  { name: 'winograd large channels C=64 K=32 13x11', x: [1, 64, 13, 11], w: [32, 64, 3, 3], o: {} },
);
cases.push(
  { name: 'valid 1x1 (pointwise GEMM path)', x: [3, 5, 4, 6], w: [7, 5, 1, 1], o: { padding: 'valid' }, bias: true },
  { name: '1x1 same groups 5', x: [2, 10, 3, 3], w: [5, 2, 1, 1], o: { groups: 5 } },
  { name: '1x1 stride 2', x: [1, 3, 5, 5], w: [2, 3, 1, 1], o: { stride: 2 } },
  { name: '2x2 same (offset 0)', x: [1, 1, 4, 4], w: [1, 1, 2, 2], o: {} },
  { name: 'valid kernel = image', x: [2, 3, 5, 4], w: [2, 3, 5, 4], o: { padding: 'valid' } },
  { name: 'large: N=2 C=8 16x20 K=16 3x3 (several GEMM tiles)', x: [2, 8, 16, 20], w: [16, 8, 3, 3], o: {}, bias: true },
  { name: 'long reduction C=64 3x3', x: [1, 64, 6, 6], w: [9, 64, 3, 3], o: {} },
  { name: 'explicit pad numbers + stride + dilation, non-square', x: [2, 2, 10, 7], w: [3, 2, 3, 2], o: { padding: 2, stride: [1, 2], dilation: [2, 1], padMode: 'reflect' } },
);

describe('conv2d (js) vs float64 reference', () => {
  const r = rng(21);
  for (const c of cases) {
    it(c.name, async () => {
      const ctx = await jsContext();
      const xs = rand(c.x.reduce((a, b) => a * b), r);
      const ws = rand(c.w.reduce((a, b) => a * b), r);
      const bs = c.bias ? rand(c.w[0], r) : null;
      const y = await ctx.conv2d(ctx.tensor(xs, c.x), ctx.tensor(ws, c.w), {
        ...c.o,
        bias: bs ? ctx.tensor(bs, [c.w[0]]) : undefined,
      });
      const ref = refConv2d({ data: xs, shape: c.x }, { data: ws, shape: c.w }, bs ? { data: bs, shape: [c.w[0]] } : null, c.o);
      expect(y.shape).toEqual(ref.shape);
      // reductions up to 576 unit-scale terms; float64 tile sums then one float32 rounding: 1e-4 holds
      expectClose(await y.read(), ref.data, c.name);
      expect(ctx.lastRun?.engine).toBe('js');
      ctx.dispose();
    });
  }

  it('CONVENTIONS.md worked 2-D example (valid, stride 1)', async () => {
    const ctx = await jsContext();
    const I = [
      0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0,
      0, 0, 1, 1, 0, 0, 0, 0, 0,
    ];
    const K = [1, 0, 1, 0, 1, 0, 1, 0, 1];
    const y = await ctx.conv2d(ctx.tensor(new Float32Array(I), [1, 1, 7, 7]), ctx.tensor(new Float32Array(K), [1, 1, 3, 3]), {
      padding: 'valid',
    });
    expect(Array.from(await y.read())).toEqual([1, 4, 3, 4, 1, 1, 2, 4, 3, 3, 1, 2, 3, 4, 1, 1, 3, 3, 1, 1, 3, 3, 1, 1, 0]);
  });

  it('CONVENTIONS.md worked conv1d example (valid)', async () => {
    const ctx = await jsContext();
    const m = [0, 1, 2, 3, 2, 5, 6, 7, 8, 14, 10, 11, 12, 8, 14];
    const y = await ctx.conv1d(ctx.tensor(new Float32Array(m), [1, 1, 15]), ctx.tensor(new Float32Array([-1, 2, -1]), [1, 1, 3]), {
      padding: 'valid',
    });
    expect(Array.from(await y.read())).toEqual([0, 0, 2, -4, 2, 0, 0, -5, 10, -5, 0, 5, -10]);
  });

  it('classic filters: Sobel Gx on a ramp, box blur, Laplace with replicate padding', async () => {
    const ctx = await jsContext();
    const H = 5, W = 6;
    const ramp = new Float32Array(H * W).map((_, i) => i % W);
    const x = ctx.tensor(ramp, [1, 1, H, W]);
    const sobel = new Float32Array([-1, 0, 1, -2, 0, 2, -1, 0, 1]);
    const box = new Float32Array(9).fill(1 / 9);
    const lap = new Float32Array([0, 1, 0, 1, -4, 1, 0, 1, 0]);
    for (const [f, name] of [[sobel, 'sobel'], [box, 'box'], [lap, 'laplace']] as const) {
      const y = await ctx.conv2d(x, ctx.tensor(f, [1, 1, 3, 3]), { padMode: 'replicate' });
      const ref = refConv2d({ data: ramp, shape: [1, 1, H, W] }, { data: f, shape: [1, 1, 3, 3] }, null, { padMode: 'replicate' });
      expectClose(await y.read(), ref.data, name);
    }
    // Sobel Gx of a unit ramp is 8 in the interior
    const y = await (await ctx.conv2d(x, ctx.tensor(sobel, [1, 1, 3, 3]), { padding: 'valid' })).read();
    expect(Array.from(y)).toEqual(new Array((H - 2) * (W - 2)).fill(8));
  });

  it('conv1d with every pad mode, stride, dilation, groups, flip', async () => {
    const r1 = rng(5);
    for (const padMode of PADS) {
      const ctx = await jsContext();
      const xs = rand(2 * 4 * 13, r1), ws = rand(6 * 2 * 4, r1), bs = rand(6, r1);
      const o = { padMode, stride: 2, dilation: 2, groups: 2, flip: true } as const;
      const y = await ctx.conv1d(ctx.tensor(xs, [2, 4, 13]), ctx.tensor(ws, [6, 2, 4]), { ...o, bias: ctx.tensor(bs, [6]) });
      const ref = refConv1d({ data: xs, shape: [2, 4, 13] }, { data: ws, shape: [6, 2, 4] }, { data: bs, shape: [6] }, o);
      expect(y.shape).toEqual(ref.shape);
      expectClose(await y.read(), ref.data, `conv1d ${padMode}`);
    }
  });

  it('NaN in x propagates to the outputs whose window reads it', async () => {
    const ctx = await jsContext();
    const xs = new Float32Array(16).fill(1);
    xs[5] = NaN; // (1,1)
    const y = await (await ctx.conv2d(ctx.tensor(xs, [1, 1, 4, 4]), ctx.tensor(new Float32Array(9).fill(1), [1, 1, 3, 3]))).read();
    const ref = refConv2d({ data: xs, shape: [1, 1, 4, 4] }, { data: new Float32Array(9).fill(1), shape: [1, 1, 3, 3] }, null, {});
    expectClose(y, ref.data, 'NaN');
    expect(Number.isNaN(y[0]!)).toBe(true);
    expect(y[15]).toBe(4);
  });
});
