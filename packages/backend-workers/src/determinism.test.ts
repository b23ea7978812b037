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
import type { WorkersBackendOptions } from '../dist/index.js';

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

/**
 * The ops of issue 20 (js kernels in both kernel sets), shaped so that the finest split cuts each
 * one where its sums could go wrong: batch norm over 7 channels (statistics per channel), sumToShape
 * to a per-channel bias, to [N, 1, 1, 1], to [C, 1, W] (a reduced axis between kept ones), to a
 * last-axis-kept [C] and to a scalar, softmax over the channels at batch 1 (slices within a row),
 * over the last and the first axis, avgpool2d in ceil mode with count-include-pad, global pooling.
 */
/** Kernel calls runNewOps makes (mulBackward: two muls and two sumToShape). */
const NEW_OP_CALLS = 25;

async function runNewOps(ctx: Context) {
  const xs = [2, 7, 9, 6] as const;
  const n = 2 * 7 * 9 * 6;
  const x = ctx.tensor(rand(n, 51), [...xs]);
  const dy = ctx.tensor(rand(n, 52), [...xs]);
  const gamma = ctx.tensor(rand(7, 53), [7]);
  const beta = ctx.tensor(rand(7, 54), [7]);
  const rm = ctx.tensor(rand(7, 55), [7]);
  const rv = ctx.tensor(rand(7, 56).map((v) => 1.5 + v), [7]);
  const bn = await ctx.batchNorm2d(x, { gamma, beta, runningMean: rm, runningVar: rv, training: true, momentum: 0.2 });
  const bnInfer = await ctx.batchNorm2d(x, { gamma, beta, runningMean: rm, runningVar: rv });
  const bnb = await ctx.batchNorm2dBackward(x, dy, { gamma });
  const c = ctx.tensor(rand(7, 57), [7, 1, 1]);
  const sum = await ctx.add(x, c);
  const diff = await ctx.sub(ctx.tensor(rand(6, 58), [6]), x);
  const prod = await ctx.mul(x, dy);
  const sums = await Promise.all(
    ([[7, 1, 1], [2, 1, 1, 1], [7, 1, 6], [6], [], [2, 7, 9, 6]] as number[][]).map((shape) => ctx.sumToShape(dy, { shape, alpha: 0.5 })),
  );
  const mb = await ctx.mulBackward(x, c, dy);
  const b1 = ctx.tensor(rand(7 * 11 * 5, 59), [1, 7, 11, 5]);
  const sm = await ctx.softmax(b1, { axis: 1 });
  const lsm = await ctx.logSoftmax(x, { axis: -1 });
  const sm0 = await ctx.softmax(x, { axis: 0 });
  const smb = await ctx.softmaxBackward(sm, b1, { axis: 1 });
  const lsmb = await ctx.logSoftmaxBackward(lsm, dy, { axis: -1 });
  const po = { kernel: 3, stride: 2, padding: [1, 1, 0, 1] as [number, number, number, number], ceilMode: true, countIncludePad: true };
  const ap = await ctx.avgpool2d(x, po);
  // the backward passes on gradients of their own (the forward outputs differ between kernel sets)
  const apb = await ctx.avgpool2dBackward(ctx.tensor(rand(ap.size, 60), [...ap.shape]), { ...po, inputShape: xs });
  const gp = await ctx.globalAvgPool2d(x);
  const gpb = await ctx.globalAvgPool2dBackward(ctx.tensor(rand(14, 61), [2, 7, 1, 1]), { inputShape: xs });
  const outs = [bn.y, bn.runningMean!, bn.runningVar!, bnInfer.y, bnb.dx, bnb.dgamma, bnb.dbeta, sum, diff, prod, ...sums, mb.da, mb.db, sm, lsm, sm0, smb, lsmb, apb, gpb, ap, gp];
  return Promise.all(outs.map((t) => t.read()));
}

/** runNewOps' last two outputs (avgpool2d, globalAvgPool2d) come from the wasm kernels when the workers run them. */
const WASM_OUTPUTS = 2;

describe('split-independent results', () => {
  it.each([
    ["kernels 'js'", { kernels: 'js' as const }],
    ['wasm kernels', {}],
    ['wasm kernels, copy mode', { forceCopy: true }],
  ] as [string, WorkersBackendOptions][])('issue-20 ops, %s: pool sizes 1, 2 and 3 with the finest split give the js backend bits (wasm kernels: avgpool2d and globalAvgPool2d the wasm backend bits)', async (_n, o) => {
    const js = new Context(createJsBackend());
    const want = await runNewOps(js);
    if (o.kernels !== 'js') {
      // the ops with a wasm version in the workers: the single-thread wasm backend's bits
      const wasm = new Context(createWasmBackend());
      want.splice(-WASM_OUTPUTS, WASM_OUTPUTS, ...(await runNewOps(wasm)).slice(-WASM_OUTPUTS));
      await wasm.dispose();
    }
    for (const workers of [1, 2, 3]) {
      const ctx = await workersContext({ workers, minTaskWork: 1, ...o });
      const got = await runNewOps(ctx);
      if (o.kernels !== 'js') for (const k of ['avgpool2d', 'globalAvgPool2d'] as const) expect(poolOf(ctx).kernelRuns[k], k).toEqual({ wasm: workers === 1 ? 1 : expect.any(Number), js: 0 });
      // every op on the workers (work >= minTaskWork 1); split into several tasks with 2 or 3
      if (workers === 1) expect(poolOf(ctx).stats.tasks, 'tasks').toBe(NEW_OP_CALLS);
      else expect(poolOf(ctx).stats.tasks, 'tasks').toBeGreaterThan(NEW_OP_CALLS + 20);
      for (let i = 0; i < want.length; i++) expect(got[i], `workers=${workers}, output ${i}`).toEqual(want[i]);
      await ctx.dispose();
    }
    await js.dispose();
  });

  it('issue-20 ops below minTaskWork run on the main thread with the same bits', async () => {
    const js = new Context(createJsBackend());
    const want = await runNewOps(js);
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 << 20, kernels: 'js' });
    const got = await runNewOps(ctx);
    expect(poolOf(ctx).stats.tasks).toBe(0);
    expect(poolOf(ctx).hostTasks).toBe(NEW_OP_CALLS);
    for (let i = 0; i < want.length; i++) expect(got[i], `output ${i}`).toEqual(want[i]);
    await ctx.dispose();
    // with the wasm kernels the ops that have a wasm version stay on a worker (one task each)
    const w = await workersContext({ workers: 2, minTaskWork: 1 << 20 });
    await runNewOps(w);
    expect(poolOf(w).stats.tasks).toBe(WASM_OUTPUTS);
    expect(poolOf(w).hostTasks).toBe(NEW_OP_CALLS - WASM_OUTPUTS);
    await w.dispose();
    await js.dispose();
  });

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
