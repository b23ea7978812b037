// The issue-20 ops on the wasm backend through core's Context (core computes the kernel params)
// against the float64 reference: broadcast shapes that exercise the axis collapse of
// drivers/broadcast.ts (dropped size-1 axes, merged axes, outer axes iterated in JS), batch norm
// in both momentum modes over several steps and in inference, average pooling with
// count-include-pad and ceil mode, softmax / log-softmax on inner axes.
import { describe, expect, it } from 'vitest';
import {
  refAdd, refSub, refMul, refBatchNorm2d, refAvgpool2d, refSoftmax, refLogSoftmax, refGlobalAvgPool2d, refSoftmaxBackward, refLogSoftmaxBackward,
} from '@convkit/reference';
import { expectClose, rand, rng, wasmContext } from '../test/helpers.js';

describe('wasm add / sub / mul broadcasting vs the reference', async () => {
  const ctx = await wasmContext();
  expect(ctx.engine).toBe('wasm-simd');
  const r = rng(30);
  const shapes: Array<[number[], number[]]> = [
    [[2, 3, 4, 5], [2, 3, 4, 5]], // one dense run
    [[2, 3, 4, 5], [1, 3, 1, 1]], // per channel: [N, C, HW] collapsed, b splatted per row
    [[2, 3, 4, 5], [3, 1, 5]], // outer axes iterated, inner contiguous
    [[2, 1, 5], [4, 1]], // both operands broadcast
    [[2, 3, 4, 5], [1]], // scalar
    [[1, 3, 1, 1], [2, 3, 4, 4]], // a broadcast
    [[2, 3, 1, 5], [2, 1, 4, 1]], // inner strides 1 / 0 alternate over axes
    [[2, 3, 6, 7], [2, 3, 1, 7]], // a middle axis broadcast
    [[1, 1, 1], [1, 1, 1]], // everything size 1
  ];
  for (const [sa, sb] of shapes) {
    it(`[${sa.join(', ')}] (op) [${sb.join(', ')}]`, async () => {
      const av = rand(sa.reduce((x, y) => x * y, 1), r);
      const bv = rand(sb.reduce((x, y) => x * y, 1), r);
      const a = ctx.tensor(av, sa);
      const b = ctx.tensor(bv, sb);
      for (const [op, ref] of [['add', refAdd], ['sub', refSub], ['mul', refMul]] as const) {
        const y = await ctx[op](a, b);
        const want = ref({ data: av, shape: sa }, { data: bv, shape: sb });
        expect(y.shape, op).toEqual(want.shape);
        expectClose(await y.read(), want.data, op);
      }
    });
  }
});

describe('wasm batchNorm2d vs refBatchNorm2d', async () => {
  const ctx = await wasmContext();
  const r = rng(31);
  for (const momentumMode of ['pytorch', 'onnx'] as const) {
    it(`training over 4 steps (running statistics, ${momentumMode}), then inference`, async () => {
      const [N, C, H, W] = [3, 5, 6, 7];
      const gv = rand(C, r);
      const bv = rand(C, r);
      let rmv: ArrayLike<number> = new Float32Array(C);
      let rvv: ArrayLike<number> = new Float32Array(C).fill(1);
      let rm = ctx.tensor(Float32Array.from(rmv), [C]);
      let rv = ctx.tensor(Float32Array.from(rvv), [C]);
      const gamma = ctx.tensor(gv, [C]);
      const beta = ctx.tensor(bv, [C]);
      for (let step = 0; step < 4; step++) {
        const xv = Float32Array.from(rand(N * C * H * W, r), (v) => step + 2 * v);
        const out = await ctx.batchNorm2d(ctx.tensor(xv, [N, C, H, W]), { gamma, beta, runningMean: rm, runningVar: rv, training: true, momentumMode });
        const want = refBatchNorm2d({ data: xv, shape: [N, C, H, W] }, { gamma: { data: gv, shape: [C] }, beta: { data: bv, shape: [C] }, runningMean: { data: rmv, shape: [C] }, runningVar: { data: rvv, shape: [C] } }, { training: true, momentumMode });
        expectClose(await out.y.read(), want.y.data, `y step ${step}`);
        expectClose(await out.runningMean!.read(), want.runningMean!.data, `runningMean step ${step}`);
        expectClose(await out.runningVar!.read(), want.runningVar!.data, `runningVar step ${step}`);
        rm = out.runningMean!;
        rv = out.runningVar!;
        rmv = await rm.read();
        rvv = await rv.read();
      }
      const xv = rand(N * C * H * W, r);
      const inf = await ctx.batchNorm2d(ctx.tensor(xv, [N, C, H, W]), { gamma, beta, runningMean: rm, runningVar: rv });
      const want = refBatchNorm2d({ data: xv, shape: [N, C, H, W] }, { gamma: { data: gv, shape: [C] }, beta: { data: bv, shape: [C] }, runningMean: { data: rmv, shape: [C] }, runningVar: { data: rvv, shape: [C] } });
      expectClose(await inf.y.read(), want.y.data, 'inference y');
      expect(inf.runningMean).toBeNull();
    });
  }
});

describe('wasm avgpool2d / globalAvgPool2d / softmax vs the reference', async () => {
  const ctx = await wasmContext();
  const r = rng(32);
  const x = rand(2 * 3 * 9 * 11, r);
  const xt = ctx.tensor(x, [2, 3, 9, 11]);
  const cases = [
    { kernel: 3, stride: 1, padding: [1, 1, 1, 1] as const, countIncludePad: true },
    { kernel: 3, stride: 2, padding: 'valid' as const, ceilMode: true },
    { kernel: 3, stride: 2, padding: [1, 1, 1, 1] as const, ceilMode: true, countIncludePad: true },
    { kernel: [2, 3] as const, stride: 1, dilation: 2, padding: 'same' as const },
  ];
  for (const o of cases) {
    it(`avgpool2d ${JSON.stringify(o)}`, async () => {
      const y = await ctx.avgpool2d(xt, o);
      const want = refAvgpool2d({ data: x, shape: [2, 3, 9, 11] }, o);
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.read(), want.data, 'y');
    });
  }
  it('globalAvgPool2d', async () => {
    expectClose(await (await ctx.globalAvgPool2d(xt)).read(), refGlobalAvgPool2d({ data: x, shape: [2, 3, 9, 11] }).data, 'y');
  });
  for (const axis of [0, 1, 2, -1]) {
    it(`softmax, logSoftmax axis ${axis}`, async () => {
      expectClose(await (await ctx.softmax(xt, { axis })).read(), refSoftmax({ data: x, shape: [2, 3, 9, 11] }, axis).data, 'softmax');
      expectClose(await (await ctx.logSoftmax(xt, { axis })).read(), refLogSoftmax({ data: x, shape: [2, 3, 9, 11] }, axis).data, 'logSoftmax');
      // backward from a forward output y held as given (the gradients of that y in float64)
      const shape = [2, 3, 9, 11];
      const dyv = rand(x.length, r);
      const dyt = ctx.tensor(dyv, shape);
      const ys = await (await ctx.softmax(xt, { axis })).read();
      const yl = await (await ctx.logSoftmax(xt, { axis })).read();
      const ds = await ctx.softmaxBackward(ctx.tensor(Float32Array.from(ys), shape), dyt, { axis });
      expectClose(await ds.read(), refSoftmaxBackward({ data: ys, shape }, { data: dyv, shape }, axis).data, 'softmaxBackward');
      const dl = await ctx.logSoftmaxBackward(ctx.tensor(Float32Array.from(yl), shape), dyt, { axis });
      expectClose(await dl.read(), refLogSoftmaxBackward({ data: yl, shape }, { data: dyv, shape }, axis).data, 'logSoftmaxBackward');
    });
  }
});
