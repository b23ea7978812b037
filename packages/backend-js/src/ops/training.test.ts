import { describe, expect, it } from 'vitest';
import { refRelu, refReluBackward, refSgd, refSoftmaxCrossEntropy, refSoftmaxCrossEntropyBackward } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

describe('sgd / relu / softmax cross-entropy (js) vs float64 reference', () => {
  const r = rng(81);

  it('sgd updates w and v in place over several steps (momentum, weight decay)', async () => {
    const ctx = await jsContext();
    const n = 257;
    let w: Float32Array = rand(n, r);
    let v: Float32Array = new Float32Array(n);
    const tw = ctx.tensor(w, [n]);
    const tv = ctx.tensor(v, [n]);
    const o = { lr: 0.1, momentum: 0.9, weightDecay: 0.01 };
    for (let step = 0; step < 4; step++) {
      const g = rand(n, r);
      await ctx.sgd(tw, ctx.tensor(g, [n]), tv, o);
      const ref = refSgd({ data: w, shape: [n] }, { data: g, shape: [n] }, { data: v, shape: [n] }, o);
      const gw = (await tw.read()) as Float32Array;
      const gv = (await tv.read()) as Float32Array;
      expectClose(gw, ref.w.data, `w step ${step}`);
      expectClose(gv, ref.v.data, `v step ${step}`);
      w = gw;
      v = gv;
    }
  });

  it('sgd without momentum is plain gradient descent', async () => {
    const ctx = await jsContext();
    const w = ctx.tensor(new Float32Array([1, 2, 3]), [3]);
    const v = ctx.zeros([3]);
    await ctx.sgd(w, ctx.tensor(new Float32Array([1, -1, 0.5]), [3]), v, { lr: 0.5 });
    expect(Array.from(await w.read())).toEqual([0.5, 2.5, 2.75]);
    expect(Array.from(await v.read())).toEqual([1, -1, 0.5]);
  });

  it('relu and reluBackward (NaN stays NaN; gradient 0 at x = 0)', async () => {
    const ctx = await jsContext();
    const xs = rand(100, r);
    xs[0] = 0;
    xs[1] = NaN;
    xs[2] = -0;
    const dys = rand(100, r);
    const x = ctx.tensor(xs, [4, 25]);
    expectClose(await (await ctx.relu(x)).read(), refRelu({ data: xs, shape: [4, 25] }).data, 'relu');
    const dx = await (await ctx.reluBackward(x, ctx.tensor(dys, [4, 25]))).read();
    expectClose(dx, refReluBackward({ data: xs, shape: [4, 25] }, { data: dys, shape: [4, 25] }).data, 'reluBackward');
    expect(dx[0]).toBe(0);
  });

  it('softmax cross-entropy: probs, mean loss and backward', async () => {
    const ctx = await jsContext();
    const [n, k] = [7, 10];
    const ls = rand(n * k, r).map((v) => v * 5);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 3) % k);
    const { loss, probs } = await ctx.softmaxCrossEntropy(ctx.tensor(ls, [n, k]), ctx.tensor(labels, [n]));
    const ref = refSoftmaxCrossEntropy({ data: ls, shape: [n, k] }, labels);
    expect(loss.shape).toEqual([]);
    expectClose(await loss.read(), ref.loss.data, 'loss');
    expectClose(await probs.read(), ref.probs.data, 'probs');
    const d = await ctx.softmaxCrossEntropyBackward(probs, ctx.tensor(labels, [n]));
    expectClose(await d.read(), refSoftmaxCrossEntropyBackward(ref.probs, labels).data, 'dlogits');
  });

  it('softmax is numerically stable for huge logits', async () => {
    const ctx = await jsContext();
    const ls = new Float32Array([1000, 1001, 999, -1000, -1001, -999]);
    const labels = new Int32Array([1, 0]);
    const { loss, probs } = await ctx.softmaxCrossEntropy(ctx.tensor(ls, [2, 3]), ctx.tensor(labels, [2]));
    const ref = refSoftmaxCrossEntropy({ data: ls, shape: [2, 3] }, labels);
    const pv = await probs.read();
    expect(pv.every((v) => Number.isFinite(v))).toBe(true);
    expectClose(pv, ref.probs.data, 'probs');
    expectClose(await loss.read(), ref.loss.data, 'loss');
  });
});
