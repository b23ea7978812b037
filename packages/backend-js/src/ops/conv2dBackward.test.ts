import { describe, expect, it } from 'vitest';
import { refConv2d, refConv2dBackward, refConv1dBackward, type ConvOptions, type PadMode } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

const PADS: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  o: ConvOptions;
}
const cases: Case[] = [];
for (const padMode of PADS) {
  cases.push({ name: `3x3 same ${padMode}`, x: [2, 3, 6, 7], w: [4, 3, 3, 3], o: { padMode } });
  cases.push({ name: `even 2x4 stride 2 ${padMode}`, x: [2, 2, 7, 9], w: [3, 2, 2, 4], o: { padMode, stride: 2 } });
  cases.push({ name: `dilation 2 groups 2 flip ${padMode}`, x: [2, 4, 8, 6], w: [4, 2, 3, 3], o: { padMode, dilation: 2, groups: 2, flip: true } });
  cases.push({ name: `depthwise stride [1,2] ${padMode}`, x: [3, 3, 5, 8], w: [3, 1, 3, 3], o: { padMode, groups: 3, stride: [1, 2] } });
  cases.push({ name: `C=1 K=5 5x5 stride 2 (one channel, GEMM path) ${padMode}`, x: [2, 1, 9, 8], w: [5, 1, 5, 5], o: { padMode, stride: 2 } });
  cases.push({ name: `depthwise multiplier 3 (direct) ${padMode}`, x: [2, 2, 6, 5], w: [6, 1, 3, 3], o: { padMode, groups: 2, flip: true } });
  cases.push({ name: `5x3 explicit pad ${padMode}`, x: [1, 2, 9, 6], w: [2, 2, 5, 3], o: { padMode, padding: [3, 0, 1, 2] } });
}
cases.push(
  { name: '1x1 valid', x: [2, 6, 4, 5], w: [3, 6, 1, 1], o: { padding: 'valid' } },
  { name: 'flip non-square stride 2 zeros', x: [2, 3, 9, 8], w: [5, 3, 2, 3], o: { flip: true, stride: 2 } },
  { name: 'larger N=3 C=16 12x12 K=8', x: [3, 16, 12, 12], w: [8, 16, 3, 3], o: {} },
  // dx as a Winograd conv of dy (zero padding, 3x3, stride 1, >= 8 channels/filters per group)
  { name: 'winograd dx: odd sizes, explicit pad [2,0,1,2]', x: [2, 8, 7, 9], w: [9, 8, 3, 3], o: { padding: [2, 0, 1, 2] } },
  { name: 'winograd dx: valid', x: [1, 10, 6, 5], w: [8, 10, 3, 3], o: { padding: 'valid' } },
  { name: 'winograd dx: groups 2 flip', x: [2, 16, 5, 6], w: [16, 8, 3, 3], o: { groups: 2, flip: true } },
  { name: 'winograd-shaped but reflect (im2col path)', x: [1, 8, 6, 6], w: [8, 8, 3, 3], o: { padMode: 'reflect' } },
);

describe('conv2dBackward (js) vs float64 reference', () => {
  const r = rng(31);
  for (const c of cases) {
    it(c.name, async () => {
      const ctx = await jsContext();
      const xs = rand(c.x.reduce((a, b) => a * b), r);
      const ws = rand(c.w.reduce((a, b) => a * b), r);
      const yShape = refConv2d({ data: xs, shape: c.x }, { data: ws, shape: c.w }, null, c.o).shape;
      const dys = rand(yShape.reduce((a, b) => a * b), r);
      const g = await ctx.conv2dBackward(ctx.tensor(xs, c.x), ctx.tensor(ws, c.w), ctx.tensor(dys, yShape), c.o);
      const ref = refConv2dBackward({ data: xs, shape: c.x }, { data: ws, shape: c.w }, { data: dys, shape: yShape }, c.o);
      expect(g.dx!.shape).toEqual(c.x);
      expect(g.dw!.shape).toEqual(c.w);
      expect(g.db!.shape).toEqual([c.w[0]]);
      // dW sums N*outH*outW (<= 432) unit-scale products; dx <= K*R*S; atol 1e-4 scaled by nothing: float64 tiles
      expectClose(await g.dx!.read(), ref.dx.data, `${c.name} dx`);
      expectClose(await g.dw!.read(), ref.dw.data, `${c.name} dw`);
      expectClose(await g.db!.read(), ref.db.data, `${c.name} db`);
      ctx.dispose();
    });
  }

  it('wants selects outputs', async () => {
    const ctx = await jsContext();
    const x = ctx.tensor(rand(2 * 2 * 4 * 4, r), [2, 2, 4, 4]);
    const w = ctx.tensor(rand(3 * 2 * 9, r), [3, 2, 3, 3]);
    const dy = ctx.tensor(rand(2 * 3 * 16, r), [2, 3, 4, 4]);
    const g = await ctx.conv2dBackward(x, w, dy, { wants: { dx: false, dw: true, db: false } });
    expect(g.dx).toBeUndefined();
    expect(g.db).toBeUndefined();
    expect(g.dw!.shape).toEqual([3, 2, 3, 3]);
  });

  it('conv1dBackward with reflect padding, stride 2, flip', async () => {
    const ctx = await jsContext();
    const o = { padMode: 'reflect', stride: 2, flip: true } as const;
    const xs = rand(2 * 3 * 11, r), ws = rand(4 * 3 * 3, r);
    const dys = rand(2 * 4 * 6, r);
    const g = await ctx.conv1dBackward(ctx.tensor(xs, [2, 3, 11]), ctx.tensor(ws, [4, 3, 3]), ctx.tensor(dys, [2, 4, 6]), o);
    const ref = refConv1dBackward({ data: xs, shape: [2, 3, 11] }, { data: ws, shape: [4, 3, 3] }, { data: dys, shape: [2, 4, 6] }, o);
    expectClose(await g.dx!.read(), ref.dx.data, 'conv1d dx');
    expectClose(await g.dw!.read(), ref.dw.data, 'conv1d dw');
    expectClose(await g.db!.read(), ref.db.data, 'conv1d db');
  });
});

describe('infinities on Winograd-eligible shapes (the GEMM path takes over; no inf - inf NaN)', () => {
  const r = rng(37);
  it('forward, dx and dW match the reference with +-Infinity in x, w and dy', async () => {
    const ctx = await jsContext();
    const xShape: [number, number, number, number] = [2, 8, 6, 7];
    const wShape: [number, number, number, number] = [8, 8, 3, 3];
    const xs = rand(2 * 8 * 42, r);
    xs[3 * 7 + 2] = Infinity; // image 0, channel 0, (3, 2)
    xs[42 * 9 + 10] = -Infinity; // image 1, channel 1
    const ws = rand(8 * 8 * 9, r);
    for (const o of [{}, { padMode: 'reflect' as const }, { padding: 'valid' as const }]) {
      const y = await ctx.conv2d(ctx.tensor(xs, xShape), ctx.tensor(ws, wShape), o);
      const ref = refConv2d({ data: xs, shape: xShape }, { data: ws, shape: wShape }, null, o);
      const got = await y.read();
      expect(got.some((v) => v === Infinity || v === -Infinity)).toBe(true);
      expectClose(got, ref.data, `forward ${JSON.stringify(o)}`);
      const dys = rand(y.size, r);
      // at an interior output (2, 3): im2col + GEMM multiplies padded zeros too, so an infinity at a
      // border output would meet 0 * inf = NaN there (as in im2col-based libraries); the reference
      // skips padded positions. The interior keeps the comparison about Winograd's inf - inf.
      dys[2 * y.shape[3]! + 3] = -Infinity;
      const g = await ctx.conv2dBackward(ctx.tensor(xs, xShape), ctx.tensor(ws, wShape), ctx.tensor(dys, y.shape), o);
      const rg = refConv2dBackward({ data: xs, shape: xShape }, { data: ws, shape: wShape }, { data: dys, shape: y.shape }, o);
      expectClose(await g.dx!.read(), rg.dx.data, `dx ${JSON.stringify(o)}`);
      expectClose(await g.dw!.read(), rg.dw.data, `dw ${JSON.stringify(o)}`);
    }
    // an infinite weight (valid padding: no padded zeros for it to meet)
    const w2 = ws.slice();
    w2[4] = Infinity;
    const xf = rand(2 * 8 * 42, r);
    const y = await ctx.conv2d(ctx.tensor(xf, xShape), ctx.tensor(w2, wShape), { padding: 'valid' });
    const yv = await y.read();
    expect(yv.some((v) => v === Infinity || v === -Infinity)).toBe(true);
    expectClose(yv, refConv2d({ data: xf, shape: xShape }, { data: w2, shape: wShape }, null, { padding: 'valid' }).data, 'inf weight');
  });
});
