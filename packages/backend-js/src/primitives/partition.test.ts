// The KERNELS.md contract for @convkit/backend-workers: every raw kernel computed over disjoint
// sub-ranges into an output pre-filled with garbage (NaN) gives exactly (bit for bit) the result of
// one full-range call, which itself matches the float64 reference.
import { describe, expect, it } from 'vitest';
import type { BatchNorm2dParams, Conv2dParams, Im2colParams, MaxPool2dParams, SumToShapeParams } from '@convkit/core';
import {
  refBatchNorm2d,
  refBatchNorm2dBackward,
  refConv2d,
  refConv2dBackward,
  refGemm,
  refIm2col,
  refCol2im,
  refMaxpool2d,
  refMaxpool2dBackward,
  refReduceTo,
} from '@convkit/reference';
import * as k from './index.js';
import { expectClose, expectSame, rand, rng } from '../test/helpers.js';

const r = rng(91);

/** Cuts [0, n) into `parts` consecutive ranges of uneven sizes (some may be empty). */
function cuts(n: number, parts: number): [number, number][] {
  const pts = [0, n];
  for (let i = 0; i < parts - 1; i++) pts.push(Math.floor(r() * (n + 1)));
  pts.sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < pts.length; i++) out.push([pts[i]!, pts[i + 1]!]);
  return out;
}

const nan = (n: number) => new Float32Array(n).fill(NaN);

function conv(N: number, C: number, H: number, W: number, K: number, R: number, S: number, extra: Partial<Conv2dParams> = {}): Conv2dParams {
  const strideH = extra.strideH ?? 1, strideW = extra.strideW ?? 1, dilationH = extra.dilationH ?? 1, dilationW = extra.dilationW ?? 1;
  const padTop = Math.floor((dilationH * (R - 1)) / 2), padLeft = Math.floor((dilationW * (S - 1)) / 2);
  const outH = Math.floor((H - 1) / strideH) + 1, outW = Math.floor((W - 1) / strideW) + 1;
  return {
    N, C, K, groups: 1, inH: H, inW: W, kH: R, kW: S, strideH, strideW, dilationH, dilationW, padTop, padLeft,
    padBottom: Math.max(0, (outH - 1) * strideH + dilationH * (R - 1) - padTop - H + 1),
    padRight: Math.max(0, (outW - 1) * strideW + dilationW * (S - 1) - padLeft - W + 1),
    outH, outW, padMode: 'zeros', flip: false, ...extra,
  };
}
const refOpts = (p: Conv2dParams) => ({
  stride: [p.strideH, p.strideW] as [number, number],
  dilation: [p.dilationH, p.dilationW] as [number, number],
  padding: 'same' as const,
  groups: p.groups,
  padMode: p.padMode,
  flip: p.flip,
});

describe('raw kernels: split ranges give the full-range result exactly', () => {
  it('gemm over row x column blocks (every transpose, beta, bias, in-place c)', () => {
    for (const [m, n, kk] of [[37, 29, 800], [9, 70, 5]] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const p = { m, n, k: kk, transA, transB, alpha: 1.25, beta: 0.5 };
          const a = rand(m * kk, r), b = rand(kk * n, r), c0 = rand(m * n, r), bias = rand(n, r);
          const full = nan(m * n);
          k.gemm(p, a, b, c0, bias, full);
          const ref = refGemm({ data: a, shape: transA ? [kk, m] : [m, kk] }, { data: b, shape: transB ? [n, kk] : [kk, n] }, {
            transA, transB, alpha: 1.25, beta: 0.5, c: { data: c0, shape: [m, n] }, bias: { data: bias, shape: [n] },
          });
          expectClose(full, ref.data, 'gemm full');
          const split = nan(m * n);
          const scratch = k.createScratch();
          for (const [r0, r1] of cuts(m, 3)) for (const [c0s, c1] of cuts(n, 3)) k.gemm(p, a, b, c0, bias, split, r0, r1, c0s, c1, scratch);
          expectSame(split, full, `gemm split ${transA} ${transB}`);
          // in place: out aliases c0
          const inplace = c0.slice();
          for (const [r0, r1] of cuts(m, 2)) k.gemm(p, a, b, inplace, bias, inplace, r0, r1, 0, n);
          expectSame(inplace, full, 'gemm in place');
        }
      }
    }
  });

  it('im2col / col2im over batch x channel ranges, every pad mode', () => {
    for (const padMode of ['zeros', 'replicate', 'circular', 'reflect'] as const) {
      const p: Im2colParams = { ...conv(3, 4, 7, 6, 1, 3, 3, { strideW: 2, dilationH: 2 }), padMode };
      const x = rand(3 * 4 * 42, r);
      const L = p.outH * p.outW;
      const colsLen = 3 * 4 * 9 * L;
      const full = nan(colsLen);
      k.im2col(p, x, full);
      const o = { kernel: 3, stride: [1, 2] as [number, number], dilation: [2, 1] as [number, number], padMode };
      expectClose(full, refIm2col({ data: x, shape: [3, 4, 7, 6] }, o).data, `im2col ${padMode}`, { atol: 0, rtol: 0 });
      const split = nan(colsLen);
      for (const [n0, n1] of cuts(3, 2)) for (const [c0, c1] of cuts(4, 3)) k.im2col(p, x, split, n0, n1, c0, c1);
      expectSame(split, full, `im2col split ${padMode}`);

      const cols = rand(colsLen, r);
      const img = nan(x.length);
      k.col2im(p, cols, img);
      expectClose(img, refCol2im({ data: cols, shape: [3, 36, L] }, { ...o, inputShape: [3, 4, 7, 6] }).data, `col2im ${padMode}`);
      const img2 = nan(x.length);
      for (const [n0, n1] of cuts(3, 3)) for (const [c0, c1] of cuts(4, 3)) k.col2im(p, cols, img2, n0, n1, c0, c1);
      expectSame(img2, img, `col2im split ${padMode}`);
    }
  });

  const convCases: [string, Conv2dParams][] = [
    ['3x3 same', conv(3, 5, 9, 8, 6, 3, 3)],
    ['3x3 stride 2 groups 2 flip reflect', conv(2, 4, 9, 7, 6, 3, 3, { strideH: 2, strideW: 2, groups: 2, flip: true, padMode: 'reflect' })],
    ['depthwise 3x3 circular', conv(2, 4, 6, 6, 8, 3, 3, { groups: 4, padMode: 'circular' })],
    ['1x1 pointwise', conv(2, 6, 5, 7, 5, 1, 1)],
    ['one channel 5x5 K=6 (GEMM path)', conv(3, 1, 8, 9, 6, 5, 5, { padMode: 'replicate' })],
    ['winograd 3x3 odd sizes', conv(2, 8, 9, 7, 12, 3, 3)],
    ['winograd 3x3 groups 2 flip reflect', conv(1, 16, 7, 8, 16, 3, 3, { groups: 2, flip: true, padMode: 'reflect' })],
    ['2x4 dilation 2 replicate', conv(2, 3, 8, 9, 4, 2, 4, { dilationH: 2, dilationW: 2, padMode: 'replicate' })],
  ];

  for (const [name, p] of convCases) {
    it(`conv2d forward over batch x output-channel x output-row blocks: ${name}`, () => {
      expect(k.useWinograd(p), 'path selection').toBe(name.startsWith('winograd'));
      const Cg = p.C / p.groups;
      const x = rand(p.N * p.C * p.inH * p.inW, r), w = rand(p.K * Cg * p.kH * p.kW, r), bias = rand(p.K, r);
      const ylen = p.N * p.K * p.outH * p.outW;
      const full = nan(ylen);
      k.conv2d(p, x, w, bias, full);
      const ref = refConv2d({ data: x, shape: [p.N, p.C, p.inH, p.inW] }, { data: w, shape: [p.K, Cg, p.kH, p.kW] }, { data: bias, shape: [p.K] }, refOpts(p));
      expectClose(full, ref.data, `${name} full`);
      const split = nan(ylen);
      const scratch = k.createScratch();
      for (const [n0, n1] of cuts(p.N, 2))
        for (const [k0, k1] of cuts(p.K, 3))
          for (const [y0, y1] of cuts(p.outH, 3)) k.conv2d(p, x, w, bias, split, n0, n1, k0, k1, y0, y1, scratch);
      expectSame(split, full, `${name} split`);
    });

    it(`conv2d backward: dx by batch x channel, dW by filter x in-group channel, db by filter: ${name}`, () => {
      const Cg = p.C / p.groups;
      const x = rand(p.N * p.C * p.inH * p.inW, r), w = rand(p.K * Cg * p.kH * p.kW, r);
      const dy = rand(p.N * p.K * p.outH * p.outW, r);
      const ref = refConv2dBackward(
        { data: x, shape: [p.N, p.C, p.inH, p.inW] },
        { data: w, shape: [p.K, Cg, p.kH, p.kW] },
        { data: dy, shape: [p.N, p.K, p.outH, p.outW] },
        refOpts(p),
      );
      const dx = nan(x.length), dw = nan(w.length), db = nan(p.K);
      k.conv2dBackwardData(p, w, dy, dx);
      k.conv2dBackwardFilter(p, x, dy, dw);
      k.conv2dBackwardBias(p, dy, db);
      expectClose(dx, ref.dx.data, `${name} dx`);
      expectClose(dw, ref.dw.data, `${name} dw`);
      expectClose(db, ref.db.data, `${name} db`);
      const dx2 = nan(x.length), dw2 = nan(w.length), db2 = nan(p.K);
      const scratch = k.createScratch();
      for (const [n0, n1] of cuts(p.N, 2)) for (const [c0, c1] of cuts(p.C, 3)) k.conv2dBackwardData(p, w, dy, dx2, n0, n1, c0, c1, scratch);
      for (const [k0, k1] of cuts(p.K, 3)) for (const [c0, c1] of cuts(Cg, 2)) k.conv2dBackwardFilter(p, x, dy, dw2, k0, k1, c0, c1, scratch);
      for (const [k0, k1] of cuts(p.K, 3)) k.conv2dBackwardBias(p, dy, db2, k0, k1);
      expectSame(dx2, dx, `${name} dx split`);
      expectSame(dw2, dw, `${name} dw split`);
      expectSame(db2, db, `${name} db split`);
    });
  }

  it('maxpool2d / maxpool2dBackward over plane ranges', () => {
    for (const [kk, s] of [[2, 2], [3, 2], [3, 1]] as const) {
      const N = 2, C = 3, H = 9, W = 8;
      const outH = Math.floor((H - 1) / s) + 1, outW = Math.floor((W - 1) / s) + 1;
      const pad = Math.floor((kk - 1) / 2);
      const p: MaxPool2dParams = {
        N, C, inH: H, inW: W, kH: kk, kW: kk, strideH: s, strideW: s, dilationH: 1, dilationW: 1,
        padTop: pad, padLeft: pad, padBottom: 0, padRight: 0, outH, outW,
      };
      const x = rand(N * C * H * W, r);
      x[7] = NaN;
      const olen = N * C * outH * outW;
      const y = nan(olen), ind = new Int32Array(olen).fill(-7);
      k.maxpool2d(p, x, y, ind);
      const ref = refMaxpool2d({ data: x, shape: [N, C, H, W] }, { kernel: kk, stride: s });
      expectSame(ind, ref.indices.data, 'indices');
      expectClose(y, ref.y.data, 'y', { atol: 0, rtol: 0 });
      const y2 = nan(olen), ind2 = new Int32Array(olen).fill(-7);
      for (const [a, b] of cuts(N * C, 4)) k.maxpool2d(p, x, y2, ind2, a, b);
      expectSame(y2, y, 'y split');
      expectSame(ind2, ind, 'indices split');
      const dy = rand(olen, r);
      const dx = nan(x.length);
      k.maxpool2dBackward(p, dy, ind, dx);
      expectClose(dx, refMaxpool2dBackward({ data: dy, shape: [N, C, outH, outW] }, ref.indices, [N, C, H, W]).data, 'dx');
      const dx2 = nan(x.length);
      for (const [a, b] of cuts(N * C, 4)) k.maxpool2dBackward(p, dy, ind, dx2, a, b);
      expectSame(dx2, dx, 'dx split');
    }
  });

  it('sgd / relu / reluBackward / softmax cross-entropy over element and row ranges', () => {
    const n = 1000;
    const w = rand(n, r), g = rand(n, r), v = rand(n, r);
    const p = { size: n, lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };
    const [w1, v1] = [w.slice(), v.slice()];
    k.sgd(p, w1, g, v1);
    const [w2, v2] = [w.slice(), v.slice()];
    for (const [a, b] of cuts(n, 5)) k.sgd(p, w2, g, v2, a, b);
    expectSame(w2, w1, 'sgd w');
    expectSame(v2, v1, 'sgd v');
    const y1 = nan(n), y2 = nan(n), d1 = nan(n), d2 = nan(n);
    k.relu(w, y1);
    k.reluBackward(w, g, d1);
    for (const [a, b] of cuts(n, 5)) {
      k.relu(w, y2, a, b);
      k.reluBackward(w, g, d2, a, b);
    }
    expectSame(y2, y1, 'relu');
    expectSame(d2, d1, 'reluBackward');

    const sp = { n: 13, classes: 7 };
    const logits = rand(13 * 7, r), labels = Int32Array.from({ length: 13 }, (_, i) => i % 7);
    const pr1 = nan(91), pr2 = nan(91);
    const loss1 = k.softmaxCrossEntropy(sp, logits, labels, pr1);
    let loss2 = 0;
    for (const [a, b] of cuts(13, 4)) loss2 += k.softmaxCrossEntropy(sp, logits, labels, pr2, a, b);
    expectSame(pr2, pr1, 'probs');
    expect(Math.abs(loss2 - loss1)).toBeLessThan(1e-9 * Math.abs(loss1));
    const dl1 = nan(91), dl2 = nan(91);
    k.softmaxCrossEntropyBackward(sp, pr1, labels, dl1);
    for (const [a, b] of cuts(13, 4)) k.softmaxCrossEntropyBackward(sp, pr1, labels, dl2, a, b);
    expectSame(dl2, dl1, 'dlogits');
  });

  it('batchNorm2d / batchNorm2dBackward over channel ranges', () => {
    const N = 3, C = 7, H = 4, W = 5, n = N * C * H * W;
    const x = rand(n, r), dy = rand(n, r), gamma = rand(C, r), beta = rand(C, r), rm = rand(C, r);
    const rv = rand(C, r).map((v) => Math.abs(v) + 0.5);
    const t = (d: Float32Array, shape: number[]) => ({ data: d, shape });
    for (const training of [true, false]) {
      for (const momentumMode of ['pytorch', 'onnx'] as const) {
        const p: BatchNorm2dParams = { N, C, H, W, training, eps: 1e-5, momentum: momentumMode === 'pytorch' ? 0.1 : 0.9, momentumMode };
        const y1 = nan(n), m1 = nan(C), v1 = nan(C), y2 = nan(n), m2 = nan(C), v2 = nan(C);
        k.batchNorm2d(p, x, gamma, beta, rm, rv, y1, m1, v1);
        for (const [a, b] of cuts(C, 4)) k.batchNorm2d(p, x, gamma, beta, rm, rv, y2, m2, v2, a, b);
        expectSame(y2, y1, `bn y ${training} ${momentumMode}`);
        const ref = refBatchNorm2d(
          t(x, [N, C, H, W]),
          { gamma: t(gamma, [C]), beta: t(beta, [C]), runningMean: t(rm, [C]), runningVar: t(rv, [C]) },
          { training, eps: p.eps, momentum: p.momentum, momentumMode },
        );
        expectClose(y1, ref.y.data, 'bn y vs reference');
        if (training) {
          expectSame(m2, m1, 'bn running mean');
          expectSame(v2, v1, 'bn running var');
          expectClose(m1, ref.runningMean!.data, 'bn running mean vs reference');
          expectClose(v1, ref.runningVar!.data, 'bn running var vs reference');
        }
      }
    }
    const bp = { N, C, H, W, eps: 1e-5 };
    const dx1 = nan(n), dg1 = nan(C), db1 = nan(C), dx2 = nan(n), dg2 = nan(C), db2 = nan(C);
    k.batchNorm2dBackward(bp, x, dy, gamma, dx1, dg1, db1);
    for (const [a, b] of cuts(C, 4)) k.batchNorm2dBackward(bp, x, dy, gamma, dx2, dg2, db2, a, b);
    expectSame(dx2, dx1, 'bn dx');
    expectSame(dg2, dg1, 'bn dgamma');
    expectSame(db2, db1, 'bn dbeta');
    const ref = refBatchNorm2dBackward(t(x, [N, C, H, W]), t(dy, [N, C, H, W]), t(gamma, [C]), { eps: 1e-5 });
    expectClose(dx1, ref.dx.data, 'bn dx vs reference');
    expectClose(dg1, ref.dgamma.data, 'bn dgamma vs reference');
    expectClose(db1, ref.dbeta.data, 'bn dbeta vs reference');
  });

  it('sumToShape over ranges of its split axis (sumToShapeAxis)', () => {
    // [x shape, y shape]: bias gradient, dense bias, inner kept axes, a sum to one value, a copy
    const cases: [number[], number[]][] = [
      [[3, 5, 4, 6], [5, 1, 1]],
      [[6, 9], [9]],
      [[4, 3, 5, 2], [1, 3, 1, 2]],
      [[2, 3, 1, 5], [3, 1, 5]],
      [[5, 4, 3], [1]],
      [[1, 3, 4], [3, 4]],
    ];
    for (const [xs, ys] of cases) {
      const full = [...Array<number>(xs.length - ys.length).fill(1), ...ys];
      const strides = new Array<number>(xs.length).fill(0);
      for (let ax = xs.length - 1, st = 1; ax >= 0; ax--) {
        if (full[ax]! > 1) strides[ax] = st;
        st *= full[ax]!;
      }
      const size = xs.reduce((a, b) => a * b, 1), outSize = ys.reduce((a, b) => a * b, 1);
      const p: SumToShapeParams = { shape: xs, strides, size, outSize, alpha: 0.75 };
      const x = rand(size, r);
      const y1 = nan(outSize), y2 = nan(outSize);
      k.sumToShape(p, x, y1);
      const axis = k.sumToShapeAxis(p);
      const len = axis === 'copy' ? size : axis < 0 ? 1 : xs[axis]!;
      for (const [a, b] of cuts(len, 4)) k.sumToShape(p, x, y2, a, b);
      expectSame(y2, y1, `sumToShape [${xs}] -> [${ys}]`);
      const ref = refReduceTo({ data: x, shape: xs }, ys);
      expectClose(y1, Array.from(ref.data, (v) => 0.75 * v), `sumToShape [${xs}] -> [${ys}] vs reference`);
    }
  });

  it('kernels work on SharedArrayBuffer-backed views', () => {
    const p = conv(2, 3, 6, 5, 4, 3, 3);
    const sab = (n: number) => new Float32Array(new SharedArrayBuffer(n * 4));
    const x = sab(2 * 3 * 30), w = sab(4 * 27), y = sab(2 * 4 * 30);
    x.set(rand(x.length, r));
    w.set(rand(w.length, r));
    k.conv2d(p, x, w, null, y);
    const ref = refConv2d({ data: x, shape: [2, 3, 6, 5] }, { data: w, shape: [4, 3, 3, 3] }, null, refOpts(p));
    expectClose(y, ref.data, 'conv on SAB');
  });
});
