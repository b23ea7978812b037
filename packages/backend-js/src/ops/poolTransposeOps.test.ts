// The issue-20 ops core composes from the js kernels (maxpool2d with dilation, maxpool1d,
// avgpool1d, globalMaxPool2d, conv2dTranspose, conv1dTranspose) beyond the golden set: seeded
// sweeps of geometries against the float64 reference, maxpool values and indices exact.
import { describe, expect, it } from 'vitest';
import {
  refAvgpool1d,
  refConv1dTranspose,
  refConv2dTranspose,
  refConv2dTransposeBackward,
  refGlobalMaxPool2d,
  refMaxpool1d,
  refMaxpool2d,
  refMaxpool2dBackward,
} from '@convkit/reference';
import { expectClose, expectSame, jsContext, rand, rng } from '../test/helpers.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

describe('composed issue-20 ops (js) vs the float64 reference', () => {
  const r = rng(2021);

  it('maxpool2d with dilation: 40 seeded geometries (interior fast path and edges, NaN and ties), values and indices exact; backward', async () => {
    const ctx = await jsContext();
    let done = 0;
    while (done < 40) {
      const kernel: [number, number] = [pick(r, [1, 2, 3]), pick(r, [2, 3, 4])];
      const dilation: [number, number] = [pick(r, [1, 2, 3]), pick(r, [1, 2, 4])];
      const stride: [number, number] = [pick(r, [1, 2]), pick(r, [1, 2, 3])];
      const H = 6 + Math.floor(r() * 12);
      const W = 6 + Math.floor(r() * 12);
      const spanH = dilation[0] * (kernel[0] - 1) + 1;
      const spanW = dilation[1] * (kernel[1] - 1) + 1;
      if (spanH > H || spanW > W) continue;
      const padding = pick(r, ['same', 'valid', [1, 0, 2, 1]] as const);
      const ceilMode = padding !== 'same' && r() < 0.3;
      const o = { kernel, dilation, stride, padding, ceilMode };
      const shape = [2, 2, H, W];
      const data = done % 5 === 0 ? rand(2 * 2 * H * W, r).map((v) => Math.round(v * 2) / 2) : rand(2 * 2 * H * W, r);
      if (done % 7 === 0) for (let i = 0; i < data.length; i += 11) data[i] = NaN;
      const x = ctx.tensor(data, shape);
      const got = await ctx.maxpool2d(x, o);
      const ref = refMaxpool2d({ data, shape }, o);
      const what = JSON.stringify(o) + ` on ${H}x${W}`;
      expect(got.y.shape, what).toEqual(ref.y.shape);
      expectSame(await got.y.read(), Float32Array.from(ref.y.data), `${what} y`);
      expectSame(await got.indices.read(), ref.indices.data, `${what} indices`);
      const dy = rand(got.y.size, r);
      const dx = await ctx.maxpool2dBackward(ctx.tensor(dy, got.y.shape), got.indices, { ...o, inputShape: shape as [number, number, number, number] });
      expectClose(await dx.read(), refMaxpool2dBackward({ data: dy, shape: ref.y.shape }, ref.indices, shape).data, `${what} dx`);
      done++;
    }
  });

  it('maxpool1d, avgpool1d and globalMaxPool2d (ties to the first maximum, NaN wins) match the reference', async () => {
    const ctx = await jsContext();
    for (let t = 0; t < 12; t++) {
      const L = 8 + Math.floor(r() * 20);
      const kernel = pick(r, [2, 3, 4]);
      const o = { kernel, stride: pick(r, [1, 2, 3]), dilation: pick(r, [1, 2]), padding: pick(r, ['same', 'valid', 1, [2, 0]] as const) };
      const shape = [2, 3, L];
      const data = rand(6 * L, r).map((v) => (t % 3 === 0 ? Math.round(v) : v));
      const x = ctx.tensor(data, shape);
      const m = await ctx.maxpool1d(x, o);
      const rm = refMaxpool1d({ data, shape }, o);
      expectSame(await m.y.read(), Float32Array.from(rm.y.data), `maxpool1d ${JSON.stringify(o)}`);
      expectSame(await m.indices.read(), rm.indices.data, `maxpool1d indices ${JSON.stringify(o)}`);
      const ao = { ...o, countIncludePad: t % 2 === 0 };
      expectClose(await (await ctx.avgpool1d(x, ao)).read(), refAvgpool1d({ data, shape }, ao).data, `avgpool1d ${JSON.stringify(ao)}`);
    }
    for (const [H, W] of [[1, 1], [3, 5], [16, 16], [7, 1]] as const) {
      const shape = [2, 3, H, W];
      const data = rand(6 * H * W, r).map((v) => Math.round(v * 2));
      data[1] = NaN;
      const g = await ctx.globalMaxPool2d(ctx.tensor(data, shape));
      const ref = refGlobalMaxPool2d({ data, shape });
      expectSame(await g.y.read(), Float32Array.from(ref.y.data), `globalMaxPool2d ${H}x${W}`);
      expectSame(await g.indices.read(), ref.indices.data, `globalMaxPool2d indices ${H}x${W}`);
    }
  });

  it('conv2dTranspose and its gradients: 30 seeded geometries (stride, pads, outputPadding, dilation, groups, bias)', async () => {
    const ctx = await jsContext();
    let done = 0;
    while (done < 30) {
      const groups = pick(r, [1, 1, 2, 3]);
      const C = groups * pick(r, [1, 2]);
      const Kg = pick(r, [1, 2, 3]);
      const k: [number, number] = [pick(r, [1, 2, 3]), pick(r, [1, 3, 4])];
      const stride: [number, number] = [pick(r, [1, 2, 3]), pick(r, [1, 2])];
      const dilation: [number, number] = [pick(r, [1, 2]), pick(r, [1, 3])];
      const same = r() < 0.25;
      const pads = [0, 1, 2, 3].map(() => Math.floor(r() * 3)) as [number, number, number, number];
      const outputPadding: [number, number] = same ? [0, 0] : [Math.floor(r() * Math.max(stride[0], dilation[0])), Math.floor(r() * Math.max(stride[1], dilation[1]))];
      // the one refused case: outputPadding >= stride + the after-pad
      if (!same && (outputPadding[0] >= stride[0] + pads[1] || outputPadding[1] >= stride[1] + pads[3])) continue;
      const xs = [2, C, 2 + Math.floor(r() * 5), 2 + Math.floor(r() * 5)];
      const o = { stride, dilation, groups, outputPadding, padding: same ? ('same' as const) : pads };
      const outH = same ? xs[2]! * stride[0] : (xs[2]! - 1) * stride[0] - pads[0] - pads[1] + dilation[0] * (k[0] - 1) + outputPadding[0] + 1;
      const outW = same ? xs[3]! * stride[1] : (xs[3]! - 1) * stride[1] - pads[2] - pads[3] + dilation[1] * (k[1] - 1) + outputPadding[1] + 1;
      if (outH < 1 || outW < 1) continue;
      const ws = [C, Kg, k[0], k[1]];
      const X = { data: rand(xs.reduce((a, b) => a * b), r), shape: xs };
      const Wt = { data: rand(ws.reduce((a, b) => a * b), r), shape: ws };
      const B = { data: rand(Kg * groups, r), shape: [Kg * groups] };
      const what = JSON.stringify({ xs, ws, ...o });
      const y = await ctx.conv2dTranspose(ctx.tensor(X.data, xs), ctx.tensor(Wt.data, ws), { ...o, bias: ctx.tensor(B.data, B.shape) });
      const ry = refConv2dTranspose(X, Wt, B, o);
      expect(y.shape, what).toEqual(ry.shape);
      expectClose(await y.read(), ry.data, `${what} y`);
      const dy = rand(y.size, r);
      const g = await ctx.conv2dTransposeBackward(ctx.tensor(X.data, xs), ctx.tensor(Wt.data, ws), ctx.tensor(dy, y.shape), o);
      const rg = refConv2dTransposeBackward(X, Wt, { data: dy, shape: ry.shape }, o);
      expectClose(await g.dx!.read(), rg.dx.data, `${what} dx`);
      expectClose(await g.dw!.read(), rg.dw.data, `${what} dw`);
      expectClose(await g.db!.read(), rg.db.data, `${what} db`);
      done++;
    }
  });

  it('conv1dTranspose matches the reference', async () => {
    const ctx = await jsContext();
    const X = { data: rand(2 * 4 * 9, r), shape: [2, 4, 9] };
    const Wt = { data: rand(4 * 3 * 5, r), shape: [4, 3, 5] };
    for (const o of [{}, { stride: 3, padding: [1, 2] as [number, number], outputPadding: 2 }, { groups: 2, dilation: 2, padding: 'valid' as const }, { stride: 2, padding: 2, outputPadding: 1, dilation: 3 }]) {
      const Wg = o.groups ? { data: Wt.data.slice(0, 4 * 3 * 5), shape: [4, 3, 5] } : Wt;
      const y = await ctx.conv1dTranspose(ctx.tensor(X.data, X.shape), ctx.tensor(Wg.data, Wg.shape), o);
      const ry = refConv1dTranspose(X, Wg, null, o);
      expect(y.shape).toEqual(ry.shape);
      expectClose(await y.read(), ry.data, `conv1dTranspose ${JSON.stringify(o)}`);
    }
  });
});
