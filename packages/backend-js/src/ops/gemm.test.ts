import { describe, expect, it } from 'vitest';
import { refGemm } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from '../test/helpers.js';

describe('gemm (js) vs float64 reference', () => {
  const r = rng(11);
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 16],
    [17, 33, 9],
    [70, 41, 300],
    [21, 13, 1000], // k > one KC block
    [130, 20, 5], // m > one MC block
    [5, 2100, 3], // n > one NC block
  ];
  for (const [m, n, k] of sizes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`[${m}x${k}]x[${k}x${n}] transA=${transA} transB=${transB}`, async () => {
          const ctx = await jsContext();
          const a = rand(m * k, r);
          const b = rand(k * n, r);
          const ta = ctx.tensor(a, transA ? [k, m] : [m, k]);
          const tb = ctx.tensor(b, transB ? [n, k] : [k, n]);
          const y = await ctx.gemm(ta, tb, { transA, transB });
          expect(y.shape).toEqual([m, n]);
          const ref = refGemm({ data: a, shape: ta.shape }, { data: b, shape: tb.shape }, { transA, transB });
          // k up to 300 unit-scale products: float32 storage of the result dominates, well within 1e-4
          expectClose(await y.read(), ref.data, 'gemm');
          ctx.dispose();
        });
      }
    }
  }

  it('alpha, beta with c, and bias', async () => {
    const ctx = await jsContext();
    const [m, n, k] = [13, 19, 29];
    const a = rand(m * k, r), b = rand(k * n, r), c = rand(m * n, r), bias = rand(n, r);
    const o = { alpha: 0.75, beta: -1.5 };
    const y = await ctx.gemm(ctx.tensor(a, [m, k]), ctx.tensor(b, [k, n]), {
      ...o,
      c: ctx.tensor(c, [m, n]),
      bias: ctx.tensor(bias, [n]),
    });
    const ref = refGemm({ data: a, shape: [m, k] }, { data: b, shape: [k, n] }, {
      ...o,
      c: { data: c, shape: [m, n] },
      bias: { data: bias, shape: [n] },
    });
    expectClose(await y.read(), ref.data, 'gemm alpha/beta/bias');
  });

  it('beta = 0 ignores NaN in c; NaN in a propagates', async () => {
    const ctx = await jsContext();
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([1, 0, 0, 1]);
    const c = new Float32Array([NaN, NaN, NaN, NaN]);
    const y = await ctx.gemm(ctx.tensor(a, [2, 2]), ctx.tensor(b, [2, 2]), { c: ctx.tensor(c, [2, 2]), beta: 0 });
    expect(Array.from(await y.read())).toEqual([1, 2, 3, 4]);
    const an = new Float32Array([NaN, 2, 3, 4]);
    const y2 = await ctx.gemm(ctx.tensor(an, [2, 2]), ctx.tensor(b, [2, 2]));
    const v = await y2.read();
    expect(Number.isNaN(v[0]!) && Number.isNaN(v[1]!)).toBe(true);
    expect([v[2], v[3]]).toEqual([3, 4]);
  });

  it('dense and denseBackward compose from gemm', async () => {
    const ctx = await jsContext();
    const x = rand(6 * 10, r), w = rand(10 * 4, r), b = rand(4, r), dy = rand(6 * 4, r);
    const { refDense, refDenseBackward } = await import('@convkit/reference');
    const tx = ctx.tensor(x, [6, 10]), tw = ctx.tensor(w, [10, 4]);
    expectClose(await (await ctx.dense(tx, tw, ctx.tensor(b, [4]))).read(), refDense({ data: x, shape: [6, 10] }, { data: w, shape: [10, 4] }, { data: b, shape: [4] }).data, 'dense');
    const g = await ctx.denseBackward(tx, tw, ctx.tensor(dy, [6, 4]));
    const rg = refDenseBackward({ data: x, shape: [6, 10] }, { data: w, shape: [10, 4] }, { data: dy, shape: [6, 4] });
    expectClose(await g.dx.read(), rg.dx.data, 'dense dx');
    expectClose(await g.dw.read(), rg.dw.data, 'dense dw');
    expectClose(await g.db.read(), rg.db.data, 'dense db');
  });
});
