/**
 * The hostThread option: the main thread computes the last tasks of each op itself (and one-task
 * ops alone) on the shared buffers; results equal the workers-only run bit for bit (same drivers,
 * same per-range arithmetic), a failing worker task still fails the op cleanly, and the kernels
 * the main thread ran are counted.
 */
import { describe, expect, it } from 'vitest';
import { BackendExecutionError, type Context } from '@convkit/core';
import { refConv2d, refConv2dBackward } from '@convkit/reference';
import { rand, backendOf, expectClose, poolOf, workerPool, workersContext } from './testing/helpers.js';

const XS = [4, 16, 18, 20];
const WS = [24, 16, 3, 3];
const xd = rand(XS.reduce((a, b) => a * b), 71);
const wd = rand(WS.reduce((a, b) => a * b), 72);
const dyd = rand(4 * 24 * 18 * 20, 73);

async function run(ctx: Context) {
  const x = ctx.tensor(xd, XS);
  const w = ctx.tensor(wd, WS);
  const y = await ctx.conv2d(x, w, { padding: 'same' });
  const g = await ctx.conv2dBackward(x, w, ctx.tensor(dyd, [4, 24, 18, 20]), { padding: 'same' });
  const out = { y: await y.read(), dx: await g.dx!.read(), dw: await g.dw!.read() };
  return out;
}

describe('hostThread', () => {
  it('the main thread computes a share; results equal the workers-only run bit for bit and the reference', async () => {
    const a = await workersContext({ workers: 1, hostThread: true, minTaskWork: 1 });
    const b = await workersContext({ workers: 2, minTaskWork: 1 });
    const ra = await run(a);
    const rb = await run(b);
    const pool = poolOf(a);
    expect(a.engine).toBe('worker_threads+sab+wasm-simd+main-thread');
    expect(b.engine).toBe('worker_threads+sab+wasm-simd');
    expect(pool.hostTasks).toBeGreaterThan(0);
    expect(pool.stats.tasks).toBeGreaterThan(0); // and the worker got its share
    expect(pool.kernelRuns.conv2d?.wasm ?? 0).toBeGreaterThan(0);
    expect(Array.from(ra.y)).toEqual(Array.from(rb.y));
    expect(Array.from(ra.dx)).toEqual(Array.from(rb.dx));
    expect(Array.from(ra.dw)).toEqual(Array.from(rb.dw));
    const ref = refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, null, {});
    const rg = refConv2dBackward({ data: xd, shape: XS }, { data: wd, shape: WS }, { data: dyd, shape: [4, 24, 18, 20] }, {});
    await expectClose(a.tensor(ra.y, ref.shape), ref);
    await expectClose(a.tensor(ra.dx, XS), rg.dx);
    await expectClose(a.tensor(ra.dw, WS), rg.dw, { atol: 1e-4 * 3, rtol: 1e-4 * 3 });
    await a.dispose();
    await b.dispose();
  });

  it('the first op runs on the workers only (they report their kernels); then a one-task op runs on the main thread alone', async () => {
    const ctx = await workersContext({ workers: 1, hostThread: true });
    const pool = poolOf(ctx);
    const x = ctx.tensor(new Float32Array([-1, 2, -3, 4]), [4]);
    const y0 = await ctx.relu(x);
    expect(Array.from(await y0.read())).toEqual([0, 2, 0, 4]);
    expect(pool.stats.tasks).toBe(1);
    expect(pool.hostTasks).toBe(0);
    const y = await ctx.relu(x);
    expect(Array.from(await y.read())).toEqual([0, 2, 0, 4]);
    expect(pool.stats.tasks).toBe(1); // no message to a worker
    expect(pool.hostTasks).toBe(1);
    await ctx.dispose();
  });

  it("a worker's failing task fails the op with a clear error; the next op is right", async () => {
    const ctx = await workersContext({ workers: 1, hostThread: true, minTaskWork: 1 });
    const pool = poolOf(ctx);
    await run(ctx); // workers started
    pool.injectFault(0, 'throw');
    const before = ctx.memory().tensors;
    await expect(ctx.conv2d(ctx.tensor(xd, XS), ctx.tensor(wd, WS), { padding: 'same' })).rejects.toBeInstanceOf(BackendExecutionError);
    expect(ctx.memory().tensors).toBe(before + 2); // the inputs only: no half-written output
    const y = await ctx.conv2d(ctx.tensor(xd, XS), ctx.tensor(wd, WS), { padding: 'same' });
    await expectClose(y, refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, null, {}));
    await ctx.dispose();
  });

  it('defaults to cores - 1 workers', async () => {
    const os = await import('node:os');
    const ctx = await workersContext({ hostThread: true });
    expect(poolOf(ctx).size).toBe(Math.max(1, os.availableParallelism() - 1));
    await ctx.dispose();
  });
});

describe('hostThread kernel set', () => {
  it('follows the workers: with SIMD failing only in the workers, the main thread runs js too', async () => {
    const ctx = await workersContext({ workers: 1, hostThread: true, minTaskWork: 1, simulateNoSimd: 'workers' });
    const be = backendOf(ctx);
    await run(ctx);
    expect(be.engine).toBe('worker_threads+sab+js+main-thread');
    expect(workerPool(be).hostTasks).toBeGreaterThan(0);
    expect(workerPool(be).kernelRuns.conv2d?.wasm ?? 0).toBe(0);
    expect(workerPool(be).kernelRuns.conv2d?.js ?? 0).toBeGreaterThan(0);
    await ctx.dispose();
  });
});
