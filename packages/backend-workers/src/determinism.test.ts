/**
 * KERNELS.md rule 6: every output element is computed by exactly one task with the same summation
 * order, so any pool size and split gives the same bits as the single-threaded js backend.
 * (Correctness itself is asserted against the float64 reference in ops.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Context } from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
import { rand, workersContext } from './testing/helpers.js';

async function run(ctx: Context) {
  const x = ctx.tensor(rand(3 * 6 * 13 * 11, 41), [3, 6, 13, 11]);
  const w = ctx.tensor(rand(10 * 3 * 3 * 3, 42), [10, 3, 3, 3]);
  const b = ctx.tensor(rand(10, 43), [10]);
  const o = { groups: 2, stride: [1, 2] as [number, number], padMode: 'reflect' as const };
  const y = await ctx.conv2d(x, w, { ...o, bias: b });
  const g = await ctx.conv2dBackward(x, w, y, o);
  const p = await ctx.maxpool2d(y, { kernel: 3, stride: 2 });
  const m = await ctx.gemm(ctx.tensor(rand(33 * 21, 44), [33, 21]), ctx.tensor(rand(21 * 19, 45), [21, 19]));
  return Promise.all([y, g.dx!, g.dw!, g.db!, p.y, p.indices, m].map((t) => t.read()));
}

describe('split-independent results', () => {
  it('pool sizes 1, 2, 3 and 5 with the finest split give the js backend bits', async () => {
    const js = new Context(createJsBackend());
    const want = await run(js);
    for (const workers of [1, 2, 3, 5]) {
      const ctx = await workersContext({ workers, minTaskWork: 1 });
      const got = await run(ctx);
      for (let i = 0; i < want.length; i++) expect(got[i], `workers=${workers}, output ${i}`).toEqual(want[i]);
      await ctx.dispose();
    }
    await js.dispose();
  });
});
