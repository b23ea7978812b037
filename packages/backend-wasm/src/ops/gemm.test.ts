import { describe, expect, it } from 'vitest';
import { refGemm } from '@convkit/reference';
import { expectClose, rand, rng, tol, wasmContext } from '../test/helpers.js';

const CASES: Array<[number, number, number, boolean, boolean, number, number, boolean]> = [
  // m, n, k, transA, transB, alpha, beta, bias
  [1, 1, 1, false, false, 1, 0, false],
  [5, 7, 3, false, false, 1, 0, true],
  [13, 21, 37, true, false, 0.5, 0, false],
  [9, 17, 300, false, true, 1, 1, true],
  [83, 45, 70, true, true, -2, 0.25, true],
  [4, 1030, 20, false, false, 1, 2, false],
  [130, 9, 520, true, true, 1, 0, true],
];

describe('gemm vs the float64 reference', () => {
  for (const [m, n, k, ta, tb, alpha, beta, bias] of CASES) {
    it(`m=${m} n=${n} k=${k} transA=${ta} transB=${tb} alpha=${alpha} beta=${beta} bias=${bias}`, async () => {
      const ctx = await wasmContext();
      const r = rng(m * 31 + n * 7 + k);
      const as = ta ? [k, m] : [m, k];
      const bs = tb ? [n, k] : [k, n];
      const av = rand(m * k, r);
      const bv = rand(k * n, r);
      const cv = beta !== 0 ? rand(m * n, r) : null;
      const biasv = bias ? rand(n, r) : null;
      const out = await ctx.gemm(ctx.tensor(av, as), ctx.tensor(bv, bs), {
        transA: ta, transB: tb, alpha, beta,
        c: cv ? ctx.tensor(cv, [m, n]) : undefined,
        bias: biasv ? ctx.tensor(biasv, [n]) : undefined,
      });
      const ref = refGemm({ data: av, shape: as }, { data: bv, shape: bs }, {
        transA: ta, transB: tb, alpha, beta,
        c: cv ? { data: cv, shape: [m, n] } : undefined,
        bias: biasv ? { data: biasv, shape: [n] } : undefined,
      });
      expect(out.shape).toEqual([m, n]);
      expectClose(await out.read(), ref.data, 'gemm', tol(k * Math.max(1, Math.abs(alpha))));
      await ctx.dispose();
    });
  }
});
