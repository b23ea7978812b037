/**
 * Every op of the workers backend against the float64 reference (@convkit/reference), with the
 * work split over 3 workers down to single rows/channels (minTaskWork 1), in shared-memory and in
 * copy mode, and with the default split policy; with the wasm SIMD kernels (default 'auto' on this
 * platform), the js kernels, and the 'auto' fallback when the workers' SIMD probe fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvgPoolOptions as CoreAvgPoolOptions, Context } from '@convkit/core';
import {
  refCol2im,
  refConv1d,
  refConv2d,
  refConv2dBackward,
  refGemm,
  refIm2col,
  refMaxpool2d,
  refMaxpool2dBackward,
  refRelu,
  refReluBackward,
  refSgd,
  refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
  refAdd,
  refAddBackward,
  refAvgpool2d,
  refAvgpool2dBackward,
  refBatchNorm2d,
  refBatchNorm2dBackward,
  refGlobalAvgPool2d,
  refGlobalAvgPool2dBackward,
  refLogSoftmax,
  refLogSoftmaxBackward,
  refMul,
  refMulBackward,
  refReduceTo,
  refSoftmax,
  refSoftmaxBackward,
  refSub,
  type AvgPoolOptions,
  type BatchNormOptions,
  type ConvOptions,
} from '@convkit/reference';
import { backendOf, expectClose, poolOf, rand, sizeOf, workersContext } from './testing/helpers.js';
import type { WorkersBackendOptions } from '../dist/index.js';

const CONFIGS: [string, WorkersBackendOptions, string][] = [
  ['shared, 3 workers, finest split, wasm kernels', { workers: 3, minTaskWork: 1 }, 'worker_threads+sab+wasm-simd'],
  ['copy, 3 workers, finest split, wasm kernels', { workers: 3, minTaskWork: 1, forceCopy: true }, 'worker_threads+copy+wasm-simd'],
  ['shared, default pool and split', {}, 'worker_threads+sab+wasm-simd'],
  ['shared, 3 workers, finest split, js kernels', { workers: 3, minTaskWork: 1, kernels: 'js' }, 'worker_threads+sab+js'],
  [
    'shared, 3 workers, finest split, no SIMD in the workers (auto falls back to js)',
    { workers: 3, minTaskWork: 1, simulateNoSimd: 'workers' },
    'worker_threads+sab+js',
  ],
];

/** The kernels that have a wasm version (the worker reports which set ran each task). */
const WASM_KERNELS = ['conv2d', 'conv2dBackwardData', 'conv2dBackwardFilter', 'gemm', 'maxpool2d', 'avgpool2d', 'globalAvgPool2d'] as const;

const CONV_CASES: [string, number[], number[], ConvOptions & { bias?: boolean }][] = [
  ['same 3x3 + bias, N=3', [3, 4, 9, 7], [5, 4, 3, 3], { bias: true }],
  ['batch 1 (row split)', [1, 3, 11, 6], [4, 3, 3, 3], { bias: true }],
  ['batch 1, one output row (channel split)', [1, 2, 1, 9], [7, 2, 1, 3], { padding: 'valid' }],
  ['stride 2, dilation 2, reflect', [2, 3, 10, 9], [4, 3, 3, 3], { stride: 2, dilation: 2, padMode: 'reflect' }],
  ['groups 2, replicate, explicit padding', [2, 4, 7, 8], [6, 2, 3, 2], { groups: 2, padMode: 'replicate', padding: [1, 2, 0, 1] }],
  ['depthwise, circular', [2, 3, 6, 6], [3, 1, 3, 3], { groups: 3, padMode: 'circular' }],
  ['flip (true convolution), valid', [1, 2, 7, 7], [3, 2, 3, 3], { flip: true, padding: 'valid' }],
  ['1x1 stride 1', [4, 5, 4, 4], [3, 5, 1, 1], { bias: true }],
  ['even 4x4 kernel, stride 3', [2, 2, 12, 12], [3, 2, 4, 4], { stride: 3 }],
];

describe.each(CONFIGS)('workers backend (%s)', (_label, opts, engine) => {
  let ctx: Context;
  beforeAll(async () => {
    ctx = await workersContext(opts);
  });
  afterAll(async () => {
    await ctx.dispose();
  });

  it('reports the engine that runs (as the workers reported it)', async () => {
    expect(ctx.backendName).toBe('workers');
    const x = ctx.tensor([1, -2, 3], [3]);
    await ctx.relu(x);
    expect(backendOf(ctx).kernelsVerified).toBe(true);
    expect(ctx.engine).toBe(engine);
    expect(ctx.lastRun).toEqual({ op: 'relu', backend: 'workers', engine });
    if (opts.simulateNoSimd) expect(backendOf(ctx).fallbackReason).toMatch(/simulateNoSimd/);
    else expect(backendOf(ctx).fallbackReason).toBeUndefined();
  });

  it.each(CONV_CASES)('conv2d forward and backward: %s', async (_name, xs, ws, o) => {
    const { bias: withBias, ...co } = o;
    const xd = rand(sizeOf(xs), 1);
    const wd = rand(sizeOf(ws), 2);
    const bd = rand(ws[0]!, 3);
    const x = ctx.tensor(xd, xs);
    const w = ctx.tensor(wd, ws);
    const b = withBias ? ctx.tensor(bd, [ws[0]!]) : null;
    const y = await ctx.conv2d(x, w, { ...co, bias: b });
    const ry = refConv2d({ data: xd, shape: xs }, { data: wd, shape: ws }, withBias ? { data: bd, shape: [ws[0]!] } : null, co);
    await expectClose(y, ry, undefined, 'y');
    const dyd = rand(sizeOf(ry.shape), 4);
    const dy = ctx.tensor(dyd, ry.shape);
    const g = await ctx.conv2dBackward(x, w, dy, co);
    const rg = refConv2dBackward({ data: xd, shape: xs }, { data: wd, shape: ws }, { data: dyd, shape: ry.shape }, co);
    await expectClose(g.dx, rg.dx, undefined, 'dx');
    await expectClose(g.dw, rg.dw, undefined, 'dw');
    await expectClose(g.db, rg.db, undefined, 'db');
    // a subset of the gradients
    const only = await ctx.conv2dBackward(x, w, dy, { ...co, wants: { dx: false, db: false } });
    expect(only.dx).toBeUndefined();
    expect(only.db).toBeUndefined();
    await expectClose(only.dw, rg.dw, undefined, 'dw only');
  });

  it('conv1d (the worked example of CONVENTIONS.md)', async () => {
    const m = [0, 1, 2, 3, 2, 5, 6, 7, 8, 14, 10, 11, 12, 8, 14];
    const x = ctx.tensor(m, [1, 1, 15]);
    const f = ctx.tensor([-1, 2, -1], [1, 1, 3]);
    const y = await ctx.conv1d(x, f, { padding: 'valid' });
    expect([...(await y.read())]).toEqual([0, 0, 2, -4, 2, 0, 0, -5, 10, -5, 0, 5, -10]);
    const xd = rand(2 * 3 * 20, 5);
    const wd = rand(4 * 3 * 5, 6);
    const y2 = await ctx.conv1d(ctx.tensor(xd, [2, 3, 20]), ctx.tensor(wd, [4, 3, 5]), { stride: 2, dilation: 2 });
    await expectClose(y2, refConv1d({ data: xd, shape: [2, 3, 20] }, { data: wd, shape: [4, 3, 5] }, null, { stride: 2, dilation: 2 }));
  });

  it.each([
    ['3x3 same zeros', { kernel: 3 }],
    ['2x3 stride 2 reflect', { kernel: [2, 3], stride: 2, padMode: 'reflect' }],
    ['3x3 dilation 2 replicate explicit', { kernel: 3, dilation: 2, padding: [2, 1, 0, 2], padMode: 'replicate' }],
    ['3x3 stride [1,2] circular', { kernel: 3, stride: [1, 2], padMode: 'circular' }],
  ] as const)('im2col and col2im: %s', async (_n, o) => {
    const xs = [3, 4, 7, 6];
    const xd = rand(sizeOf(xs), 7);
    const cols = await ctx.im2col(ctx.tensor(xd, xs), o as any);
    const rc = refIm2col({ data: xd, shape: xs }, o as any);
    await expectClose(cols, rc, undefined, 'cols');
    const cd = rand(sizeOf(rc.shape), 8);
    const img = await ctx.col2im(ctx.tensor(cd, rc.shape), { ...(o as any), inputShape: xs });
    await expectClose(img, refCol2im({ data: cd, shape: rc.shape }, { ...(o as any), inputShape: xs }), undefined, 'col2im');
  });

  it.each([
    ['2x2 default', [3, 4, 8, 8], { kernel: 2 }],
    ['3x3 stride 2 same (window at -1)', [2, 3, 9, 7], { kernel: 3, stride: 2 }],
    ['3x3 stride 1 overlapping', [1, 5, 6, 6], { kernel: 3, stride: 1 }],
    ['3x2 ceil mode valid', [2, 2, 7, 8], { kernel: [3, 2], stride: 2, padding: 'valid', ceilMode: true }],
  ] as const)('maxpool2d forward and backward: %s', async (_n, xs, o) => {
    const xd = rand(sizeOf(xs), 9);
    // ties and a NaN: the first maximum wins, NaN propagates
    xd[0] = xd[1] = 0.99;
    xd[20] = NaN;
    const x = ctx.tensor(xd, xs);
    const { y, indices } = await ctx.maxpool2d(x, o as any);
    const r = refMaxpool2d({ data: xd, shape: xs }, o as any);
    await expectClose(y, r.y, undefined, 'y');
    expect([...indices.shape]).toEqual(r.indices.shape);
    expect(Array.from(await indices.read())).toEqual(Array.from(r.indices.data));
    const dyd = rand(sizeOf(r.y.shape), 10);
    const dx = await ctx.maxpool2dBackward(ctx.tensor(dyd, r.y.shape), indices, { ...(o as any), inputShape: xs });
    await expectClose(dx, refMaxpool2dBackward({ data: dyd, shape: r.y.shape }, r.indices, xs), undefined, 'dx');
  });

  it.each([
    ['plain 37x19 * 19x23', 37, 19, 23, {}],
    ['transA transB alpha', 6, 11, 29, { transA: true, transB: true, alpha: 0.5 }],
    ['beta c + bias, 3 rows', 3, 8, 40, { beta: 0.75, c: true, bias: true }],
    ['one row', 1, 13, 5, { bias: true }],
  ] as const)('gemm: %s', async (_n, m, k, n, o) => {
    const o2 = o as { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: boolean; bias?: boolean };
    const as = o2.transA ? [k, m] : [m, k];
    const bs = o2.transB ? [n, k] : [k, n];
    const ad = rand(m * k, 11);
    const bd = rand(k * n, 12);
    const cd = rand(m * n, 13);
    const biasd = rand(n, 14);
    const c = o2.c ? ctx.tensor(cd, [m, n]) : null;
    const bias = o2.bias ? ctx.tensor(biasd, [n]) : null;
    const y = await ctx.gemm(ctx.tensor(ad, as), ctx.tensor(bd, bs), { ...o2, c, bias });
    const ry = refGemm({ data: ad, shape: as }, { data: bd, shape: bs }, {
      ...o2,
      c: o2.c ? { data: cd, shape: [m, n] } : null,
      bias: o2.bias ? { data: biasd, shape: [n] } : null,
    });
    await expectClose(y, ry);
  });

  it('dense and denseBackward (composed from gemm)', async () => {
    const xd = rand(5 * 7, 15);
    const wd = rand(7 * 3, 16);
    const bd = rand(3, 17);
    const x = ctx.tensor(xd, [5, 7]);
    const w = ctx.tensor(wd, [7, 3]);
    const y = await ctx.dense(x, w, ctx.tensor(bd, [3]));
    await expectClose(y, refGemm({ data: xd, shape: [5, 7] }, { data: wd, shape: [7, 3] }, { bias: { data: bd, shape: [3] } }));
  });

  it('sgd: three steps with momentum and weight decay, in place', async () => {
    const size = 1000;
    const w0 = rand(size, 18);
    const grads = [rand(size, 19), rand(size, 20), rand(size, 21)];
    const w = ctx.tensor(w0, [10, 100]);
    const v = ctx.zeros([10, 100]);
    let rw = { data: Float64Array.from(w0) as ArrayLike<number>, shape: [10, 100] };
    let rv = { data: new Float64Array(size) as ArrayLike<number>, shape: [10, 100] };
    const o = { lr: 0.1, momentum: 0.9, weightDecay: 0.01 };
    for (const gd of grads) {
      const g = ctx.tensor(gd, [10, 100]);
      await ctx.sgd(w, g, v, o);
      g.dispose();
      const r = refSgd(rw, { data: gd, shape: [10, 100] }, rv, o);
      rw = r.w;
      rv = r.v;
    }
    await expectClose(w, rw as any, undefined, 'w');
    await expectClose(v, rv as any, undefined, 'v');
  });

  it('relu and reluBackward', async () => {
    const xd = rand(3001, 22);
    xd[5] = NaN;
    const dyd = rand(3001, 23);
    const x = ctx.tensor(xd, [3001]);
    await expectClose(await ctx.relu(x), refRelu({ data: xd, shape: [3001] }));
    await expectClose(
      await ctx.reluBackward(x, ctx.tensor(dyd, [3001])),
      refReluBackward({ data: xd, shape: [3001] }, { data: dyd, shape: [3001] }),
    );
  });

  it('softmaxCrossEntropy and its backward', async () => {
    const n = 17;
    const k = 10;
    const ld = rand(n * k, 24).map((v) => v * 20);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % k);
    const lt = ctx.tensor(labels, [n]);
    const { loss, probs } = await ctx.softmaxCrossEntropy(ctx.tensor(ld, [n, k]), lt);
    const r = refSoftmaxCrossEntropy({ data: ld, shape: [n, k] }, labels);
    await expectClose(loss, r.loss, undefined, 'loss');
    await expectClose(probs, r.probs, undefined, 'probs');
    const d = await ctx.softmaxCrossEntropyBackward(probs, lt);
    await expectClose(d, refSoftmaxCrossEntropyBackward(r.probs, labels), undefined, 'dlogits');
  });

  // the ops of issue 20
  const T = (data: Float32Array, shape: number[]) => ({ data, shape });

  it.each([
    ['training, running statistics (pytorch), affine', { training: true, momentum: 0.2 }, true, true],
    ['training, onnx momentum, no affine, no running statistics', { training: true, momentumMode: 'onnx' as const }, false, false],
    ['inference, affine, eps 1e-3', { eps: 1e-3 }, true, true],
  ] as [string, BatchNormOptions, boolean, boolean][])('batchNorm2d and its backward: %s', async (_n, o, affine, running) => {
    const xs = [3, 5, 7, 6];
    const xd = rand(sizeOf(xs), 30).map((v) => 2 * v + 0.5);
    const dyd = rand(sizeOf(xs), 31);
    const gd = rand(5, 32);
    const bd = rand(5, 33);
    const rmd = rand(5, 34);
    const rvd = rand(5, 35).map((v) => 1.2 + v);
    const x = ctx.tensor(xd, xs);
    const t5 = (d: Float32Array) => ctx.tensor(d, [5]);
    const params = affine ? { gamma: t5(gd), beta: t5(bd) } : {};
    const stats = running ? { runningMean: t5(rmd), runningVar: t5(rvd) } : {};
    const r = await ctx.batchNorm2d(x, { ...params, ...stats, ...o });
    const ref = refBatchNorm2d(
      T(xd, xs),
      { gamma: affine ? T(gd, [5]) : null, beta: affine ? T(bd, [5]) : null, runningMean: running ? T(rmd, [5]) : null, runningVar: running ? T(rvd, [5]) : null },
      o,
    );
    await expectClose(r.y, ref.y, undefined, 'y');
    if (o.training && running) {
      await expectClose(r.runningMean!, ref.runningMean!, undefined, 'runningMean');
      await expectClose(r.runningVar!, ref.runningVar!, undefined, 'runningVar');
    } else {
      expect(r.runningMean).toBeNull();
    }
    const g = await ctx.batchNorm2dBackward(x, ctx.tensor(dyd, xs), { gamma: affine ? t5(gd) : null, eps: o.eps });
    const rg = refBatchNorm2dBackward(T(xd, xs), T(dyd, xs), affine ? T(gd, [5]) : null, { eps: o.eps });
    await expectClose(g.dx, rg.dx, undefined, 'dx');
    await expectClose(g.dgamma, rg.dgamma, undefined, 'dgamma');
    await expectClose(g.dbeta, rg.dbeta, undefined, 'dbeta');
  });

  it.each([
    ['same shape', [2, 3, 5, 4], [2, 3, 5, 4]],
    ['per channel [C, 1, 1]', [2, 3, 5, 4], [3, 1, 1]],
    ['per channel [1, C, 1, 1] on the left', [1, 3, 1, 1], [2, 3, 5, 4]],
    ['scalar []', [2, 3, 5, 4], []],
    ['rows x columns', [4, 1], [1, 6]],
  ])('add, sub, mul and their backward (sumToShape): %s', async (_n, as, bs) => {
    const ad = rand(sizeOf(as), 36);
    const bd = rand(sizeOf(bs), 37);
    const a = ctx.tensor(ad, as);
    const b = ctx.tensor(bd, bs);
    await expectClose(await ctx.add(a, b), refAdd(T(ad, as), T(bd, bs)), undefined, 'add');
    await expectClose(await ctx.sub(a, b), refSub(T(ad, as), T(bd, bs)), undefined, 'sub');
    const y = await ctx.mul(a, b);
    await expectClose(y, refMul(T(ad, as), T(bd, bs)), undefined, 'mul');
    const dyd = rand(y.size, 38);
    const dy = ctx.tensor(dyd, [...y.shape]);
    const ra = refAddBackward(T(dyd, [...y.shape]), as, bs);
    const ga = await ctx.addBackward(dy, { aShape: as, bShape: bs });
    await expectClose(ga.da, ra.da, undefined, 'addBackward da');
    await expectClose(ga.db, ra.db, undefined, 'addBackward db');
    const rm = refMulBackward(T(ad, as), T(bd, bs), T(dyd, [...y.shape]));
    const gm = await ctx.mulBackward(a, b, dy);
    await expectClose(gm.da, rm.da, undefined, 'mulBackward da');
    await expectClose(gm.db, rm.db, undefined, 'mulBackward db');
  });

  it.each([[[5, 1, 1]], [[3, 1, 1, 1]], [[5, 1, 4]], [[4]], [[]], [[3, 5, 6, 4]]])('sumToShape of [3, 5, 6, 4] to %j', async (shape) => {
    const xs = [3, 5, 6, 4];
    const xd = rand(sizeOf(xs), 39);
    const got = await ctx.sumToShape(ctx.tensor(xd, xs), { shape, alpha: -0.5 });
    const r = refReduceTo(T(xd, xs), shape);
    await expectClose(got, { data: Array.from(r.data, (v) => -0.5 * v), shape: r.shape });
  });

  it.each([
    ['3x3/2, same', { kernel: 3, stride: 2 }],
    ['2x2/2 valid, ceil mode', { kernel: 2, stride: 2, padding: 'valid', ceilMode: true }],
    ['3x3/2 explicit pads, ceil mode, count-include-pad', { kernel: 3, stride: 2, padding: [1, 0, 1, 1], ceilMode: true, countIncludePad: true }],
    ['2x3 dilation 2', { kernel: [2, 3], stride: 1, dilation: 2, padding: 'valid' }],
  ] as [string, AvgPoolOptions][])('avgpool2d and its backward: %s', async (_n, o) => {
    const xs = [2, 3, 9, 8] as [number, number, number, number];
    const xd = rand(sizeOf(xs), 40);
    const y = await ctx.avgpool2d(ctx.tensor(xd, xs), o as CoreAvgPoolOptions);
    const ry = refAvgpool2d(T(xd, xs), o);
    await expectClose(y, ry, undefined, 'y');
    const dyd = rand(y.size, 41);
    const dx = await ctx.avgpool2dBackward(ctx.tensor(dyd, [...y.shape]), { ...(o as CoreAvgPoolOptions), inputShape: xs });
    await expectClose(dx, refAvgpool2dBackward(T(dyd, [...y.shape]), xs, o), undefined, 'dx');
  });

  it('globalAvgPool2d and its backward', async () => {
    const xs = [3, 4, 7, 5] as [number, number, number, number];
    const xd = rand(sizeOf(xs), 42);
    const y = await ctx.globalAvgPool2d(ctx.tensor(xd, xs));
    await expectClose(y, refGlobalAvgPool2d(T(xd, xs)), undefined, 'y');
    const dyd = rand(12, 43);
    const dx = await ctx.globalAvgPool2dBackward(ctx.tensor(dyd, [3, 4, 1, 1]), { inputShape: xs });
    await expectClose(dx, refGlobalAvgPool2dBackward(T(dyd, [3, 4, 1, 1]), xs), undefined, 'dx');
  });

  it.each([
    ['last axis of [7, 10]', [7, 10], -1],
    ['channels of [1, 6, 5, 4] (slices inside a row)', [1, 6, 5, 4], 1],
    ['first axis of [4, 3, 5]', [4, 3, 5], 0],
  ])('softmax, logSoftmax and their backward: %s', async (_n, xs, axis) => {
    const xd = rand(sizeOf(xs), 44).map((v) => v * 8);
    const dyd = rand(sizeOf(xs), 45);
    const x = ctx.tensor(xd, xs);
    const dy = ctx.tensor(dyd, xs);
    const y = await ctx.softmax(x, { axis });
    const ry = refSoftmax(T(xd, xs), axis);
    await expectClose(y, ry, undefined, 'softmax');
    await expectClose(await ctx.softmaxBackward(y, dy, { axis }), refSoftmaxBackward(ry, T(dyd, xs), axis), undefined, 'softmaxBackward');
    const l = await ctx.logSoftmax(x, { axis });
    const rl = refLogSoftmax(T(xd, xs), axis);
    await expectClose(l, rl, undefined, 'logSoftmax');
    await expectClose(await ctx.logSoftmaxBackward(l, dy, { axis }), refLogSoftmaxBackward(rl, T(dyd, xs), axis), undefined, 'logSoftmaxBackward');
  });

  it('shared mode sends each buffer to a worker once and copies no tensor data', async () => {
    const pool = poolOf(ctx);
    const x = ctx.tensor(rand(4 * 3 * 16 * 16, 27), [4, 3, 16, 16]);
    const w = ctx.tensor(rand(8 * 3 * 3 * 3, 28), [8, 3, 3, 3]);
    (await ctx.conv2d(x, w)).dispose();
    const s0 = { ...pool.stats };
    (await ctx.conv2d(x, w)).dispose();
    const tasks = pool.stats.tasks - s0.tasks;
    expect(tasks).toBeGreaterThan(0);
    if (backendOf(ctx).shared) {
      // the second call only hands over its fresh output buffer (one per task at most)
      expect(pool.stats.buffersShared - s0.buffersShared).toBeLessThanOrEqual(tasks);
      expect(pool.stats.bytesCopied).toBe(0);
    } else {
      expect(pool.stats.buffersShared).toBe(0);
      expect(pool.stats.bytesCopied - s0.bytesCopied).toBe(tasks * (x.size + w.size) * 4);
    }
  });

  it('frees worker-side references with the tensors (memory returns to where it was)', async () => {
    const before = ctx.memory();
    const x = ctx.tensor(rand(2 * 3 * 8 * 8, 25), [2, 3, 8, 8]);
    const w = ctx.tensor(rand(4 * 3 * 3 * 3, 26), [4, 3, 3, 3]);
    const y = await ctx.conv2d(x, w);
    const g = await ctx.conv2dBackward(x, w, y);
    for (const t of [x, w, y, g.dx!, g.dw!, g.db!]) t.dispose();
    const after = ctx.memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.backend.dataIds).toBe(before.backend.dataIds);
    expect(after.backend.bytes).toBe(before.backend.bytes);
    expect(poolOf(ctx).pendingTasks).toBe(0);
  });

  it('ran the conv, dx, dW, maxpool, avgpool and global-average-pool tasks in the kernel set the engine names', () => {
    const runs = poolOf(ctx).kernelRuns;
    const wasm = engine.endsWith('+wasm-simd');
    for (const k of WASM_KERNELS) {
      const r = runs[k];
      expect(r, k).toBeDefined();
      if (!wasm) expect(r!.wasm, k).toBe(0);
      else if (k !== 'gemm') expect(r!.js, k).toBe(0); // gemm: column tiles of m < tasks run js
      if (wasm) expect(r!.wasm, k).toBeGreaterThan(0);
    }
  });
});
