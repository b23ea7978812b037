import { describe, expect, it } from 'vitest';
import type { Conv2dParams, GemmParams, MaxPool2dParams } from '@convkit/core';
import { refConv2d, refConv2dBackward, refGemm, refMaxpool2d } from '@convkit/reference';
import { WasmRawKernels } from './raw.js';
import { expectClose, rand, rng, tol } from './test/helpers.js';

// 3x3 stride 2 'same' conv: N=5 C=4 9x10 K=6, groups 2, bias
const p: Conv2dParams = {
  N: 5, C: 4, K: 6, groups: 2, padMode: 'zeros', flip: false,
  inH: 9, inW: 10, kH: 3, kW: 3, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1,
  padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, outH: 5, outW: 5,
};
const opts = { stride: 2, groups: 2 };
const xs = [5, 4, 9, 10];
const wsh = [6, 2, 3, 3];
const ys = [5, 6, 5, 5];
const n = (s: number[]) => s.reduce((a, b) => a * b);

describe('WasmRawKernels: js raw-kernel signatures on plain typed arrays, split into ranges', () => {
  const raw = new WasmRawKernels();
  const r = rng(123);
  const x = rand(n(xs), r);
  const w = rand(n(wsh), r);
  const b = rand(6, r);
  const dy = rand(n(ys), r);
  const ref = refConv2d({ data: x, shape: xs }, { data: w, shape: wsh }, { data: b, shape: [6] }, opts);
  const rg = refConv2dBackward({ data: x, shape: xs }, { data: w, shape: wsh }, { data: dy, shape: ys }, opts);

  it('conv2d by batch ranges, and a k range (js path)', () => {
    const y = new Float32Array(n(ys)).fill(NaN);
    raw.conv2d(p, x, w, b, y, 0, 2);
    raw.conv2d(p, x, w, b, y, 2, 4);
    raw.conv2d(p, x, w, b, y, 4, 5, 0, 3);
    raw.conv2d(p, x, w, b, y, 4, 5, 3, 6);
    expectClose(y, ref.data, 'y', tol(19));
  });

  it('conv2dBackwardData by batch ranges; conv2dBackwardFilter by k ranges', () => {
    const dx = new Float32Array(n(xs)).fill(NaN);
    raw.conv2dBackwardData(p, w, dy, dx, 0, 3);
    raw.conv2dBackwardData(p, w, dy, dx, 3, 5);
    expectClose(dx, rg.dx.data, 'dx', tol(27));
    const dw = new Float32Array(n(wsh)).fill(NaN);
    raw.conv2dBackwardFilter(p, x, dy, dw, 0, 1);
    raw.conv2dBackwardFilter(p, x, dy, dw, 1, 5);
    raw.conv2dBackwardFilter(p, x, dy, dw, 5, 6, 0, 1); // cg ranges: only those filter taps are written
    raw.conv2dBackwardFilter(p, x, dy, dw, 5, 6, 1, 2);
    expectClose(dw, rg.dw.data, 'dw', tol(125));
  });

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`gemm by row ranges, transA=${ta} transB=${tb}, beta and bias`, () => {
      const gp: GemmParams = { m: 11, n: 13, k: 7, transA: ta, transB: tb, alpha: 0.5, beta: 2 };
      const a = rand(77, r);
      const bb = rand(91, r);
      const c0 = rand(143, r);
      const bias = rand(13, r);
      const out = new Float32Array(143).fill(NaN);
      raw.gemm(gp, a, bb, c0, bias, out, 0, 5);
      raw.gemm(gp, a, bb, c0, bias, out, 5, 11);
      const want = refGemm({ data: a, shape: ta ? [7, 11] : [11, 7] }, { data: bb, shape: tb ? [13, 7] : [7, 13] }, {
        transA: ta, transB: tb, alpha: 0.5, beta: 2, c: { data: c0, shape: [11, 13] }, bias: { data: bias, shape: [13] },
      });
      expectClose(out, want.data, 'gemm', tol(7));
    });
  }

  it('maxpool2d by plane ranges gives global indices', () => {
    const mp: MaxPool2dParams = {
      N: 2, C: 3, inH: 6, inW: 7, kH: 2, kW: 2, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1,
      padTop: 0, padBottom: 0, padLeft: 0, padRight: 1, outH: 3, outW: 4,
    };
    const xv = rand(2 * 3 * 42, r);
    const y = new Float32Array(72);
    const ind = new Int32Array(72);
    raw.maxpool2d(mp, xv, y, ind, 0, 4);
    raw.maxpool2d(mp, xv, y, ind, 4, 6);
    const want = refMaxpool2d({ data: xv, shape: [2, 3, 6, 7] }, { kernel: 2 });
    expect(Array.from(ind)).toEqual(Array.from(want.indices.data));
    expect(Array.from(y)).toEqual(Array.from(want.y.data));
  });

  it('maxpool2d over several cache-sized chunks of planes (3x3/2 same, 64x64 planes: 8 per chunk)', () => {
    const [N, C, H, W] = [2, 11, 64, 64];
    const mp: MaxPool2dParams = {
      N, C, inH: H, inW: W, kH: 3, kW: 3, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1,
      padTop: 0, padBottom: 1, padLeft: 0, padRight: 1, outH: 32, outW: 32,
    };
    const xv = rand(N * C * H * W, r);
    const want = refMaxpool2d({ data: xv, shape: [N, C, H, W] }, { kernel: 3, stride: 2, padding: [0, 1, 0, 1] });
    const y = new Float32Array(N * C * 1024).fill(NaN);
    const ind = new Int32Array(N * C * 1024).fill(-7);
    // a range of 19 planes (two full chunks and a partial one), then the rest
    raw.maxpool2d(mp, xv, y, ind, 3, 22);
    raw.maxpool2d(mp, xv, y, ind, 0, 3);
    expect(Array.from(ind)).toEqual(Array.from(want.indices.data));
    expect(Array.from(y)).toEqual(Array.from(want.y.data));
  });

  it('frees its per-call blocks', () => {
    expect(raw.heap.liveBlocks).toBe(1); // the workspace
  });
});
