// The issue-20 kernels beyond the golden set: batch-norm running statistics over several training
// steps, NaN propagation, and the range kernels giving the same numbers split into parts.
import { describe, expect, it } from 'vitest';
import { refAdd, refAvgpool2d, refBatchNorm2d, refMul, refSoftmax, refReduceTo } from '@convkit/reference';
import { broadcastBinary, softmaxAxis, sumToShape } from '../primitives/index.js';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

describe('issue-20 kernels (js) vs the float64 reference', () => {
  const r = rng(2020);

  it('batchNorm2d: running statistics over 5 training steps, each fed the float32 state of the last (PyTorch and ONNX rules)', async () => {
    const ctx = await jsContext();
    for (const momentumMode of ['pytorch', 'onnx'] as const) {
      const C = 3;
      const shape = [4, C, 3, 5];
      const gamma = rand(C, r);
      const beta = rand(C, r);
      let rm = ctx.tensor(new Float32Array(C), [C]);
      let rv = ctx.tensor(new Float32Array(C).fill(1), [C]);
      let refRm: Float64Array = new Float64Array(C);
      let refRv: Float64Array = new Float64Array(C).fill(1);
      for (let step = 0; step < 5; step++) {
        const x = rand(4 * C * 15, r).map((v) => v * (step + 1) + step);
        const o = { training: true, momentumMode, momentum: momentumMode === 'onnx' ? 0.8 : 0.2 };
        const got = await ctx.batchNorm2d(ctx.tensor(x, shape), { gamma: ctx.tensor(gamma, [C]), beta: ctx.tensor(beta, [C]), runningMean: rm, runningVar: rv, ...o });
        const ref = refBatchNorm2d(
          { data: x, shape },
          { gamma: { data: gamma, shape: [C] }, beta: { data: beta, shape: [C] }, runningMean: { data: refRm, shape: [C] }, runningVar: { data: refRv, shape: [C] } },
          o,
        );
        expectClose(await got.y.read(), ref.y.data, `${momentumMode} step ${step} y`);
        expectClose(await got.runningMean!.read(), ref.runningMean!.data, `${momentumMode} step ${step} runningMean`);
        expectClose(await got.runningVar!.read(), ref.runningVar!.data, `${momentumMode} step ${step} runningVar`);
        rm.dispose();
        rv.dispose();
        rm = got.runningMean!;
        rv = got.runningVar!;
        refRm = Float64Array.from(await rm.read());
        refRv = Float64Array.from(await rv.read());
      }
      // inference with the accumulated statistics
      const x = rand(2 * C * 4, r);
      const inf = await ctx.batchNorm2d(ctx.tensor(x, [2, C, 2, 2]), { runningMean: rm, runningVar: rv });
      const ref = refBatchNorm2d({ data: x, shape: [2, C, 2, 2] }, { runningMean: { data: refRm, shape: [C] }, runningVar: { data: refRv, shape: [C] } });
      expectClose(await inf.y.read(), ref.y.data, `${momentumMode} inference`);
    }
    await ctx.dispose();
  });

  it('NaN in a softmax slice makes that slice NaN only; NaN in an average-pool window makes that output NaN only', async () => {
    const ctx = await jsContext();
    const x = rand(2 * 3 * 4, r);
    x[5] = NaN; // slice (outer 0, inner 1) along axis 1 of [2, 3, 4]
    const y = await (await ctx.softmax(ctx.tensor(x, [2, 3, 4]), { axis: 1 })).read();
    const ref = refSoftmax({ data: x, shape: [2, 3, 4] }, 1);
    for (let i = 0; i < y.length; i++) expect(Number.isNaN(y[i]!), `index ${i}`).toBe(Number.isNaN(ref.data[i]!));
    expect([1, 5, 9].every((i) => Number.isNaN(y[i]!))).toBe(true);
    expect(Number.isNaN(y[0]!)).toBe(false);
    const img = rand(16, r);
    img[0] = NaN;
    const o = { kernel: 2, stride: 2, padding: 'valid' as const };
    const a = await (await ctx.avgpool2d(ctx.tensor(img, [1, 1, 4, 4]), o)).read();
    const ar = refAvgpool2d({ data: img, shape: [1, 1, 4, 4] }, o);
    expect(Number.isNaN(a[0]!)).toBe(true);
    expectClose(a.subarray(1), ar.data.subarray(1), 'avgpool outside the NaN window');
    await ctx.dispose();
  });

  it('range kernels: broadcastBinary, softmaxAxis split at odd points equal the whole; sumToShape equals the reference', () => {
    const shape = [3, 4, 5, 7];
    const a = rand(420, r);
    const b = rand(4 * 7, r);
    const p = { shape, aStrides: [140, 35, 7, 1], bStrides: [0, 7, 0, 1], size: 420 };
    for (const [op, ref] of [
      ['add', refAdd],
      ['mul', refMul],
    ] as const) {
      const whole = new Float32Array(420);
      broadcastBinary(op, p, a, b, whole);
      expectClose(whole, ref({ data: a, shape }, { data: b, shape: [4, 1, 7] }).data, op);
      const parts = new Float32Array(420);
      for (const [s, e] of [
        [0, 3],
        [3, 40],
        [40, 41],
        [41, 300],
        [300, 420],
      ]) broadcastBinary(op, p, a, b, parts, s, e);
      expect(Array.from(parts)).toEqual(Array.from(whole));
    }
    const sm = { outer: 12, len: 5, inner: 7 };
    const whole = new Float32Array(420);
    softmaxAxis(sm, a, whole, false);
    const parts = new Float32Array(420);
    softmaxAxis(sm, a, parts, false, 0, 37);
    softmaxAxis(sm, a, parts, false, 37, 84);
    expect(Array.from(parts)).toEqual(Array.from(whole));
    const y = new Float32Array(28);
    sumToShape({ shape, strides: [0, 7, 0, 1], size: 420, outSize: 28, alpha: 2 }, a, y);
    expectClose(y, refReduceTo({ data: a, shape }, [4, 1, 7]).data.map((v) => 2 * v), 'sumToShape');
  });
});
