import { describe, expect, it } from 'vitest';
import {
  refConv1dTranspose,
  refConv1dTransposeBackward,
  refConv2d,
  refConv2dTranspose,
  refConv2dTransposeBackward,
  type ConvTransposeOptions,
} from './index.js';
import { dot, numGrad, randn, relErr, rng } from './testutil.js';

const arr = (t: { data: ArrayLike<number> }) => Array.from(t.data);
const x1 = { data: [1, 2], shape: [1, 1, 2] };
const w1 = { data: [1, 1, 1], shape: [1, 1, 3] };

describe('conv1dTranspose / conv2dTranspose: hand-computed cases', () => {
  it('stride 2 scatters each input over the kernel; pads crop; outputPadding adds at the end', () => {
    expect(arr(refConv1dTranspose(x1, w1, null, { stride: 2, padding: 'valid' }))).toEqual([1, 1, 3, 2, 2]);
    expect(arr(refConv1dTranspose(x1, w1, null, { stride: 2, padding: 1 }))).toEqual([1, 3, 2]);
    expect(arr(refConv1dTranspose(x1, w1, null, { stride: 2, padding: [0, 2] }))).toEqual([1, 1, 3]);
    expect(arr(refConv1dTranspose(x1, w1, null, { stride: 2, padding: 'valid', outputPadding: 1 }))).toEqual([1, 1, 3, 2, 2, 0]);
    expect(arr(refConv1dTranspose(x1, w1, { data: [10], shape: [1] }, { stride: 2, padding: 1 }))).toEqual([11, 13, 12]);
  });

  it("dilation spreads the taps; 'same' (the default) gives in*stride", () => {
    expect(arr(refConv1dTranspose(x1, w1, null, { dilation: 2, padding: 'valid' }))).toEqual([1, 2, 1, 2, 1, 2]);
    expect(arr(refConv1dTranspose(x1, w1, null, { stride: 2, padding: 'same' }))).toEqual([1, 3, 2, 2]);
    expect(arr(refConv1dTranspose(x1, w1, null, { stride: 2 }))).toEqual([1, 3, 2, 2]);
    expect(arr(refConv1dTranspose(x1, w1, null))).toEqual([3, 3]);
  });

  it('weights are [Cin, Cout/groups, kH, kW]; groups split input and output channels', () => {
    const x = { data: [1, 2, 3, 4], shape: [1, 2, 1, 2] };
    // groups 2, Cout/groups = 2: input channel 0 -> outputs 0, 1 (w 1, 10); channel 1 -> outputs 2, 3 (w 100, -1)
    const w = { data: [1, 10, 100, -1], shape: [2, 2, 1, 1] };
    const y = refConv2dTranspose(x, w, null, { groups: 2, padding: 'valid' });
    expect(y.shape).toEqual([1, 4, 1, 2]);
    expect(arr(y)).toEqual([1, 2, 10, 20, 300, 400, -3, -4]);
    // groups 1: every input channel feeds every output channel, weight [Cin=2, Cout=1]
    const y1 = refConv2dTranspose(x, { data: [1, 10], shape: [2, 1, 1, 1] }, null, { padding: 'valid' });
    expect(arr(y1)).toEqual([31, 42]);
  });

  it('2-D: 2x2 input, 2x2 kernel, stride 2 tiles the kernel scaled by each pixel', () => {
    const x = { data: [1, 2, 3, 4], shape: [1, 1, 2, 2] };
    const w = { data: [1, 2, 3, 4], shape: [1, 1, 2, 2] };
    const y = refConv2dTranspose(x, w, null, { stride: 2, padding: 'valid' });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(arr(y)).toEqual([1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16]);
  });

  it('typed errors', () => {
    expect(() => refConv1dTranspose(x1, w1, null, { stride: 2, outputPadding: 2, padding: 'valid' })).toThrow(/outputPadding/);
    expect(() => refConv1dTranspose(x1, w1, null, { stride: 2, outputPadding: 1 })).toThrow(/'same'/);
    expect(() => refConv1dTranspose(x1, w1, null, { padding: 5 })).toThrow(/crops/);
    expect(() => refConv2dTranspose({ data: [1, 2, 3], shape: [1, 3, 1, 1] }, { data: [1, 2, 3], shape: [3, 1, 1, 1] }, null, { groups: 2 })).toThrow(/groups/);
    expect(() => refConv2dTranspose({ data: [1, 2], shape: [1, 2, 1, 1] }, { data: [1], shape: [1, 1, 1, 1] }, null)).toThrow(/w must be/);
    expect(() => refConv2dTranspose({ data: [1], shape: [1, 1, 1, 1] }, { data: [1], shape: [1, 1, 1, 1] }, { data: [1, 2], shape: [2] })).toThrow(/bias/);
    expect(() => refConv2dTranspose({ data: [1], shape: [1, 1, 1, 1] }, { data: [1], shape: [1, 1, 1, 1] }, null, { stride: 0 })).toThrow(/stride/);
  });
});

const configs: { x: [number, number, number, number]; wK: number; k: [number, number]; o: ConvTransposeOptions }[] = [
  { x: [2, 3, 4, 5], wK: 2, k: [3, 3], o: { stride: 2, padding: [1, 1, 1, 1] } },
  { x: [1, 4, 3, 4], wK: 3, k: [3, 2], o: { stride: [2, 3], padding: [1, 0, 0, 1], outputPadding: [1, 2], groups: 2 } },
  { x: [1, 2, 5, 4], wK: 2, k: [3, 3], o: { dilation: 2, stride: 1, padding: [2, 1, 0, 2], groups: 2 } },
  { x: [2, 2, 3, 3], wK: 3, k: [4, 4], o: { stride: 2, padding: 'same' } },
  { x: [1, 3, 4, 3], wK: 1, k: [3, 3], o: { stride: 2, dilation: 3, padding: 'valid', outputPadding: 2, groups: 3 } },
];

describe('conv2dTranspose is the adjoint of conv2d: <convT(x), z> == <x, conv2d(z)> with the same weights', () => {
  for (const [ci, cfg] of configs.entries()) {
    it(`config ${ci}: ${JSON.stringify(cfg.o)}`, () => {
      const r = rng(1500 + ci);
      const C = cfg.x[1];
      const groups = cfg.o.groups ?? 1;
      const wShape = [C, cfg.wK, cfg.k[0], cfg.k[1]];
      const x = { data: randn(cfg.x.reduce((a, b) => a * b, 1), r), shape: cfg.x };
      const w = { data: randn(wShape.reduce((a, b) => a * b, 1), r), shape: wShape };
      const y = refConv2dTranspose(x, w, null, cfg.o);
      const z = { data: randn(y.data.length, r), shape: y.shape };
      // conv2d maps K = groups*wK channels back to C with w read as [C, wK, R, S] = [K_conv, C_conv/groups, R, S]
      const back = refConv2d(z, w, null, { stride: cfg.o.stride, padding: cfg.o.padding ?? 'same', dilation: cfg.o.dilation, groups });
      if (back.shape.join() !== cfg.x.join()) {
        // outputPadding >= stride (allowed when dilation > stride) adds rows conv2d reads as an extra output; crop it
        expect(back.shape.slice(0, 2)).toEqual(cfg.x.slice(0, 2));
      }
      const [, , H, W] = cfg.x;
      const [bH, bW] = [back.shape[2]!, back.shape[3]!];
      let rhs = 0;
      for (let i = 0; i < x.data.length; i++) {
        const xx = i % W;
        const yy = Math.floor(i / W) % H;
        const nc = Math.floor(i / (W * H));
        rhs += x.data[i]! * back.data[(nc * bH + yy) * bW + xx]!;
      }
      const lhs = dot(y.data, z.data);
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (1 + Math.abs(lhs)));
      expect(Math.abs(lhs)).toBeGreaterThan(1e-6);
    });
  }
});

describe('conv2dTranspose backward vs central differences', () => {
  for (const [ci, cfg] of configs.entries()) {
    it(`config ${ci}`, () => {
      const r = rng(1600 + ci);
      const C = cfg.x[1];
      const wShape = [C, cfg.wK, cfg.k[0], cfg.k[1]];
      const xs = randn(cfg.x.reduce((a, b) => a * b, 1), r);
      const ws = randn(wShape.reduce((a, b) => a * b, 1), r);
      const K = cfg.wK * (cfg.o.groups ?? 1);
      const bs = randn(K, r);
      const f = (xv: Float64Array, wv: Float64Array, bv: Float64Array) =>
        refConv2dTranspose({ data: xv, shape: cfg.x }, { data: wv, shape: wShape }, { data: bv, shape: [K] }, cfg.o);
      const y = f(xs, ws, bs);
      const g = randn(y.data.length, r);
      const b = refConv2dTransposeBackward({ data: xs, shape: cfg.x }, { data: ws, shape: wShape }, { data: g, shape: y.shape }, cfg.o);
      expect(relErr(b.dx.data, numGrad((v) => dot(f(v, ws, bs).data, g), xs))).toBeLessThan(1e-8);
      expect(relErr(b.dw.data, numGrad((v) => dot(f(xs, v, bs).data, g), ws))).toBeLessThan(1e-8);
      expect(relErr(b.db.data, numGrad((v) => dot(f(xs, ws, v).data, g), bs))).toBeLessThan(1e-8);
    });
  }
  it('1-D backward is the 2-D one with H = 1', () => {
    const r = rng(1700);
    const x = { data: randn(2 * 4 * 5, r), shape: [2, 4, 5] };
    const w = { data: randn(4 * 3 * 3, r), shape: [4, 3, 3] };
    const o = { stride: 3, padding: [1, 2] as const, dilation: 2, outputPadding: 1, groups: 2 };
    const y = refConv1dTranspose(x, w, null, o);
    const y2 = refConv2dTranspose({ data: x.data, shape: [2, 4, 1, 5] }, { data: w.data, shape: [4, 3, 1, 3] }, null, {
      stride: [1, 3],
      padding: [0, 0, 1, 2],
      dilation: [1, 2],
      outputPadding: [0, 1],
      groups: 2,
    });
    expect(y.shape).toEqual([2, 6, y2.shape[3]]);
    expect(arr(y)).toEqual(arr(y2));
    const g = { data: randn(y.data.length, r), shape: y.shape };
    const b = refConv1dTransposeBackward(x, w, g, o);
    expect(b.dx.shape).toEqual([2, 4, 5]);
    expect(b.dw.shape).toEqual([4, 3, 3]);
    const fd = numGrad((v) => dot(refConv1dTranspose({ data: v, shape: x.shape }, w, null, o).data, g.data), Float64Array.from(x.data));
    expect(relErr(b.dx.data, fd)).toBeLessThan(1e-8);
  });
});
