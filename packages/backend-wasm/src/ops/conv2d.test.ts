import { describe, expect, it } from 'vitest';
import type { PadMode, Padding } from '@convkit/core';
import { refConv2d, refConv2dBackward } from '@convkit/reference';
import { conv2dPath } from '../drivers/conv2d.js';
import { expectClose, rand, rng, tol, wasmContext } from '../test/helpers.js';

interface Case {
  name: string;
  N: number;
  C: number;
  H: number;
  W: number;
  K: number;
  kH: number;
  kW: number;
  stride?: [number, number];
  dilation?: [number, number];
  padding?: Padding;
  groups?: number;
  padMode?: PadMode;
  flip?: boolean;
  bias?: boolean;
  path: 'depthwise' | 'pointwise' | 'winograd' | 'im2col';
}

const CASES: Case[] = [
  { name: '3x3 same, GEMM edge tiles (K=13, HW=63)', N: 2, C: 5, H: 7, W: 9, K: 13, kH: 3, kW: 3, bias: true, path: 'im2col' },
  { name: '3x3 C=40: depth 360 > 256 (two depth blocks)', N: 1, C: 40, H: 12, W: 11, K: 7, kH: 3, kW: 3, bias: true, path: 'im2col' },
  { name: 'Winograd: odd output (edge tiles), bias', N: 2, C: 8, H: 9, W: 11, K: 12, kH: 3, kW: 3, bias: true, path: 'winograd' },
  { name: 'Winograd: 4-tile SIMD groups + scalar tail, C=40 K=33', N: 1, C: 40, H: 14, W: 37, K: 33, kH: 3, kW: 3, bias: true, path: 'winograd' },
  { name: 'Winograd: valid padding', N: 1, C: 9, H: 10, W: 20, K: 8, kH: 3, kW: 3, padding: 'valid', path: 'winograd' },
  { name: 'Winograd: asymmetric explicit padding', N: 1, C: 8, H: 11, W: 26, K: 8, kH: 3, kW: 3, padding: [2, 0, 0, 2], bias: true, path: 'winograd' },
  { name: 'Winograd: flip (true convolution)', N: 1, C: 8, H: 16, W: 16, K: 16, kH: 3, kW: 3, flip: true, bias: true, path: 'winograd' },
  { name: 'Winograd: several chunks of tile rows (64x64, C=32 K=64)', N: 1, C: 32, H: 64, W: 64, K: 64, kH: 3, kW: 3, bias: true, path: 'winograd' },
  { name: 'K=90 > MC=80 rows, 40x40 > NC=1024 columns', N: 1, C: 3, H: 40, W: 40, K: 90, kH: 3, kW: 3, path: 'im2col' },
  { name: 'im2col in row chunks (C=40 5x5, 30x30: 8 rows per chunk)', N: 1, C: 40, H: 30, W: 30, K: 4, kH: 5, kW: 5, bias: true, path: 'im2col' },
  { name: '7x7 stride 2 (workload C shape, small)', N: 1, C: 3, H: 30, W: 27, K: 16, kH: 7, kW: 7, stride: [2, 2], bias: true, path: 'im2col' },
  { name: 'stride 3x2, dilation 2x1, valid', N: 2, C: 4, H: 17, W: 15, K: 6, kH: 3, kW: 2, stride: [3, 2], dilation: [2, 1], padding: 'valid', path: 'im2col' },
  { name: 'explicit asymmetric padding, even kernel', N: 1, C: 3, H: 9, W: 8, K: 5, kH: 4, kW: 2, padding: [2, 0, 1, 3], bias: true, path: 'im2col' },
  { name: 'groups 2', N: 2, C: 6, H: 8, W: 8, K: 10, kH: 3, kW: 3, groups: 2, bias: true, path: 'im2col' },
  { name: 'replicate padding', N: 1, C: 3, H: 8, W: 7, K: 4, kH: 3, kW: 3, padMode: 'replicate', path: 'im2col' },
  { name: 'circular padding 5x5', N: 1, C: 2, H: 6, W: 7, K: 3, kH: 5, kW: 5, padMode: 'circular', bias: true, path: 'im2col' },
  { name: 'reflect padding stride 2', N: 2, C: 3, H: 9, W: 9, K: 4, kH: 3, kW: 3, stride: [2, 2], padMode: 'reflect', path: 'im2col' },
  { name: 'flip (true convolution)', N: 1, C: 3, H: 8, W: 8, K: 5, kH: 3, kW: 3, flip: true, bias: true, path: 'im2col' },
  { name: '1x1 pointwise GEMM', N: 3, C: 17, H: 6, W: 7, K: 11, kH: 1, kW: 1, bias: true, path: 'pointwise' },
  { name: '1x1 pointwise groups 4 + flip', N: 2, C: 8, H: 5, W: 5, K: 12, kH: 1, kW: 1, groups: 4, flip: true, path: 'pointwise' },
  { name: '1x1 stride 2 (im2col)', N: 1, C: 5, H: 9, W: 9, K: 3, kH: 1, kW: 1, stride: [2, 2], path: 'im2col' },
  { name: 'depthwise 3x3', N: 2, C: 6, H: 13, W: 14, K: 6, kH: 3, kW: 3, groups: 6, bias: true, path: 'depthwise' },
  { name: 'depthwise x2 multiplier 5x5 stride 2 dilation 2', N: 1, C: 3, H: 16, W: 17, K: 6, kH: 5, kW: 5, groups: 3, stride: [2, 2], dilation: [2, 2], bias: true, path: 'depthwise' },
  { name: 'depthwise kernel larger than the image', N: 1, C: 2, H: 3, W: 4, K: 2, kH: 5, kW: 7, groups: 2, path: 'depthwise' },
  { name: 'depthwise flip', N: 1, C: 4, H: 9, W: 10, K: 4, kH: 3, kW: 2, groups: 4, flip: true, path: 'depthwise' },
  { name: 'depthwise reflect (im2col path)', N: 1, C: 3, H: 7, W: 7, K: 3, kH: 3, kW: 3, groups: 3, padMode: 'reflect', path: 'im2col' },
];

describe('conv2d forward and backward vs the float64 reference', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ctx = await wasmContext();
      expect(ctx.engine).toBe('wasm-simd');
      const r = rng(c.N * 1000 + c.C * 100 + c.K);
      const groups = c.groups ?? 1;
      const Cg = c.C / groups;
      const xs = [c.N, c.C, c.H, c.W];
      const ws = [c.K, Cg, c.kH, c.kW];
      const xv = rand(xs.reduce((a, b) => a * b), r);
      const wv = rand(ws.reduce((a, b) => a * b), r);
      const bv = c.bias ? rand(c.K, r) : null;
      const opts = {
        stride: c.stride ?? 1,
        dilation: c.dilation ?? 1,
        padding: c.padding ?? ('same' as const),
        groups,
        padMode: c.padMode ?? ('zeros' as const),
        flip: c.flip ?? false,
      };
      const x = ctx.tensor(xv, xs);
      const w = ctx.tensor(wv, ws);
      const b = bv ? ctx.tensor(bv, [c.K]) : null;
      const y = await ctx.conv2d(x, w, { ...opts, bias: b });
      const ref = refConv2d({ data: xv, shape: xs }, { data: wv, shape: ws }, bv ? { data: bv, shape: [c.K] } : null, opts);
      expect(y.shape).toEqual(ref.shape);
      expectClose(await y.read(), ref.data, 'y', tol(Cg * c.kH * c.kW + 1));

      // the path the case is meant to exercise (computed from the same normalized params core passes)
      const p = {
        N: c.N, C: c.C, K: c.K, groups, padMode: opts.padMode, flip: opts.flip, inH: c.H, inW: c.W, kH: c.kH, kW: c.kW,
        strideH: opts.stride === 1 ? 1 : c.stride![0], strideW: opts.stride === 1 ? 1 : c.stride![1],
        dilationH: 1, dilationW: 1, padTop: c.kH > 1 || opts.padding !== 'same' ? 1 : 0, padBottom: 0, padLeft: c.kW > 1 ? 1 : 0, padRight: 0,
        outH: y.shape[2]!, outW: y.shape[3]!,
      };
      if (c.path === 'pointwise') p.padTop = p.padLeft = 0;
      expect(conv2dPath(p)).toBe(c.path);

      const dyv = rand(y.shape.reduce((a, b2) => a * b2), r);
      const dy = ctx.tensor(dyv, y.shape);
      const g = await ctx.conv2dBackward(x, w, dy, opts);
      const rg = refConv2dBackward({ data: xv, shape: xs }, { data: wv, shape: ws }, { data: dyv, shape: y.shape }, opts);
      const outHW = y.shape[2]! * y.shape[3]!;
      expectClose(await g.dx!.read(), rg.dx.data, 'dx', tol((c.K / groups) * c.kH * c.kW));
      expectClose(await g.dw!.read(), rg.dw.data, 'dw', tol(c.N * outHW));
      expectClose(await g.db!.read(), rg.db.data, 'db', tol(c.N * outHW));
      for (const t of [x, w, b, y, dy, g.dx, g.dw, g.db]) t?.dispose();
      expect(ctx.memory().backend.dataIds).toBe(0);
      await ctx.dispose();
    });
  }
});

describe('conv2d Winograd path: IEEE special values', () => {
  it('an image or filter with Inf / NaN takes im2col, so the result is that of the direct sums', async () => {
    const ctx = await wasmContext();
    const r = rng(4242);
    const xs = [3, 8, 8, 10];
    const ws = [8, 8, 3, 3];
    const opts = { padding: 'same' as const };
    const cases: [string, (x: Float32Array, w: Float32Array) => void][] = [
      ['+Inf in image 1', (x) => (x[1 * 640 + 3 * 80 + 4 * 10 + 5] = Infinity)],
      ['NaN in image 2, -Inf in image 0', (x) => ((x[2 * 640 + 77] = NaN), (x[13] = -Infinity))],
      ['Inf in one filter', (_, w) => (w[5 * 72 + 40] = Infinity)],
    ];
    for (const [name, poison] of cases) {
      const xv = rand(3 * 640, r);
      const wv = rand(8 * 72, r);
      poison(xv, wv);
      const x = ctx.tensor(xv, xs);
      const w = ctx.tensor(wv, ws);
      const y = await ctx.conv2d(x, w, opts);
      const ref = refConv2d({ data: xv, shape: xs }, { data: wv, shape: ws }, null, opts);
      const got = await y.read();
      // Winograd would spread one Inf into NaNs over its 4x4 tile neighbourhood
      expect(Array.from(got).filter(Number.isNaN).length, name).toBe(Array.from(ref.data).filter(Number.isNaN).length);
      expectClose(got, ref.data, name, tol(73));
      for (const t of [x, w, y]) t.dispose();
    }
    await ctx.dispose();
  });
});
