/**
 * KERNELS.md rule 6: every output element is computed by exactly one task with the same summation
 * order, so any pool size and split gives the same bits as the single-threaded backend running the
 * same kernels: the js backend for `kernels: 'js'`, the single-thread wasm backend
 * (@convkit/backend-wasm, the same SIMD drivers) for the wasm kernels. backend-wasm's README states
 * that rule for batch and output-channel splits. The workers' output-row tiles (forward, batch
 * smaller than the task count) keep it too (checked below); their input-channel dx tiles do not
 * (the dx GEMM then has fewer rows and its edge handling differs): those agree with the wasm backend
 * within the float32 tolerance (CONVENTIONS.md), which is what is asserted for them.
 * (Correctness itself is asserted against the float64 reference in ops.test.ts and kernels.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Context, type PadMode } from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
import { createWasmBackend } from '@convkit/backend-wasm';
import { compare, describeMismatch } from '@convkit/reference';
import { poolOf, rand, TOL, workersContext } from './testing/helpers.js';

async function run(ctx: Context, N = 3, padMode: PadMode = 'reflect', groups = 2) {
  const x = ctx.tensor(rand(N * 6 * 13 * 11, 41), [N, 6, 13, 11]);
  const w = ctx.tensor(rand(10 * (6 / groups) * 3 * 3, 42), [10, 6 / groups, 3, 3]);
  const b = ctx.tensor(rand(10, 43), [10]);
  const o = { groups, stride: [1, 2] as [number, number], padMode };
  const y = await ctx.conv2d(x, w, { ...o, bias: b });
  const g = await ctx.conv2dBackward(x, w, y, o);
  const p = await ctx.maxpool2d(y, { kernel: 3, stride: 2 });
  const m = await ctx.gemm(ctx.tensor(rand(33 * 21, 44), [33, 21]), ctx.tensor(rand(21 * 19, 45), [21, 19]));
  return Promise.all([y, g.dx!, g.dw!, g.db!, p.y, p.indices, m].map((t) => t.read()));
}

describe('split-independent results', () => {
  it("kernels 'js': pool sizes 1, 2, 3 and 5 with the finest split give the js backend bits", async () => {
    const js = new Context(createJsBackend());
    const want = await run(js);
    for (const workers of [1, 2, 3, 5]) {
      const ctx = await workersContext({ workers, minTaskWork: 1, kernels: 'js' });
      const got = await run(ctx);
      expect(ctx.engine).toBe('worker_threads+sab+js');
      for (let i = 0; i < want.length; i++) expect(got[i], `workers=${workers}, output ${i}`).toEqual(want[i]);
      await ctx.dispose();
    }
    await js.dispose();
  });

  it.each([
    ['N=3, groups 2, reflect (image tiles)', 3, 'reflect', 2],
    ['N=1, zero padding (output-row tiles bitwise, input-channel dx tiles within tolerance)', 1, 'zeros', 1],
  ] as const)('wasm kernels, %s: pool sizes 1, 2, 3 and 5 with the finest split give the single-thread wasm backend bits', async (_n, N, padMode, groups) => {
    const wasm = new Context(createWasmBackend());
    expect(wasm.engine).toBe('wasm-simd');
    const want = await run(wasm, N, padMode, groups);
    for (const workers of [1, 2, 3, 5]) {
      const ctx = await workersContext({ workers, minTaskWork: 1 });
      const got = await run(ctx, N, padMode, groups);
      expect(ctx.engine).toBe('worker_threads+sab+wasm-simd');
      const runs = poolOf(ctx).kernelRuns;
      for (const k of ['conv2d', 'conv2dBackwardData', 'conv2dBackwardFilter', 'maxpool2d'] as const) expect(runs[k]!.js, k).toBe(0);
      for (let i = 0; i < want.length; i++) {
        if (i === 1 && N === 1) {
          // dx in input-channel tiles: within tolerance, not bitwise (see the header)
          const r = compare(got[i]!, want[i]!, TOL);
          expect(r.ok, `workers=${workers}, dx: ${describeMismatch(r, TOL)}`).toBe(true);
        } else {
          expect(got[i], `workers=${workers}, output ${i}`).toEqual(want[i]);
        }
      }
      await ctx.dispose();
    }
    await wasm.dispose();
  });
});
