/**
 * The `kernels` option and what the engine reports: the workers answer their init message with
 * their own WebAssembly SIMD probe, the engine and `kernels` follow that answer (not the main
 * thread's guess), 'auto' falls back to js and says why, 'wasm' fails clearly without SIMD; and
 * the benchmark shapes (A-D of the issue, batch 1 included) run every heavy task in wasm.
 * Numbers are checked against the float64 reference.
 */
import { describe, expect, it } from 'vitest';
import { Context, Registry, type ConvOptions, type Probe } from '@convkit/core';
import { refConv2d, refConv2dBackward, refGemm } from '@convkit/reference';
import { createWorkersBackend, workersBackend, type WorkersBackend } from '../dist/index.js';
import { expectClose, rand, sizeOf, workerPool } from './testing/helpers.js';

const XS = [2, 4, 10, 10];
const WS = [6, 4, 3, 3];
const xd = rand(sizeOf(XS), 51);
const wd = rand(sizeOf(WS), 52);
const ref = refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, null, {});

async function convOn(be: WorkersBackend) {
  const ctx = new Context(be);
  const y = await ctx.conv2d(ctx.tensor(xd, XS), ctx.tensor(wd, WS));
  await expectClose(y, ref);
  return ctx;
}

/** The conv2d tasks (split over both workers) all ran in `set`, as the workers reported per task. */
function expectRuns(be: WorkersBackend, set: 'wasm' | 'js') {
  const r = workerPool(be).kernelRuns.conv2d!;
  expect(r[set]).toBeGreaterThanOrEqual(2);
  expect(r[set === 'wasm' ? 'js' : 'wasm']).toBe(0);
}

describe('kernels option and engine', () => {
  it("'auto' runs the wasm SIMD kernels here and the workers confirm it", async () => {
    const be = await createWorkersBackend({ workers: 2, minTaskWork: 1 });
    expect(be.kernelsOption).toBe('auto');
    expect(be.kernelsVerified).toBe(false); // no worker yet
    const ctx = await convOn(be);
    expect(be.kernelsVerified).toBe(true);
    expect(workerPool(be).kernelReport).toEqual({ kernels: 'wasm-simd', workers: 2 });
    expect(be.engine).toBe('worker_threads+sab+wasm-simd');
    expect(be.kernels).toBe('wasm-simd');
    expect(be.fallbackReason).toBeUndefined();
    expectRuns(be, 'wasm');
    await ctx.dispose();
  });

  it("'js' runs the js kernels (no fallback reason: it was asked for)", async () => {
    const be = await createWorkersBackend({ workers: 2, minTaskWork: 1, kernels: 'js' });
    const ctx = await convOn(be);
    expect(workerPool(be).kernelReport.kernels).toBe('js');
    expect(be.engine).toBe('worker_threads+sab+js');
    expect(be.fallbackReason).toBeUndefined();
    expectRuns(be, 'js');
    await ctx.dispose();
  });

  it("'auto' without SIMD anywhere: js kernels, engine '+js', fallbackReason, right results", async () => {
    const be = await createWorkersBackend({ workers: 2, minTaskWork: 1, simulateNoSimd: true });
    expect(be.engine).toBe('worker_threads+sab+js');
    expect(be.fallbackReason).toMatch(/SIMD/);
    const ctx = await convOn(be);
    expect(be.engine).toBe('worker_threads+sab+js');
    expectRuns(be, 'js');
    await ctx.dispose();
  });

  it('the engine follows what the workers report, not the main thread: SIMD probe failing only in the workers', async () => {
    const be = await createWorkersBackend({ workers: 2, minTaskWork: 1, simulateNoSimd: 'workers' });
    // before any worker ran, the main thread's probe (wasm) is all there is
    expect(be.kernelsVerified).toBe(false);
    expect(be.engine).toBe('worker_threads+sab+wasm-simd');
    const ctx = await convOn(be);
    expect(be.kernelsVerified).toBe(true);
    expect(workerPool(be).kernelReport.kernels).toBe('js');
    expect(be.engine).toBe('worker_threads+sab+js');
    expect(ctx.lastRun?.engine).toBe('worker_threads+sab+js');
    expect(be.fallbackReason).toMatch(/simulateNoSimd/);
    expectRuns(be, 'js');
    await ctx.dispose();
  });

  it("'wasm' throws a clear error when SIMD is unavailable (main thread, or in the workers at the first op)", async () => {
    await expect(createWorkersBackend({ kernels: 'wasm', simulateNoSimd: true })).rejects.toThrow(
      /kernels: 'wasm' was requested but WebAssembly SIMD is unavailable/,
    );
    const be = await createWorkersBackend({ workers: 2, minTaskWork: 1, kernels: 'wasm', simulateNoSimd: 'workers' });
    const ctx = new Context(be);
    const x = ctx.tensor(xd, XS);
    const w = ctx.tensor(wd, WS);
    await expect(ctx.conv2d(x, w)).rejects.toThrow(/kernels: 'wasm' was requested but this worker cannot run WebAssembly SIMD/);
    await ctx.dispose();
    // and with SIMD it runs
    const ok = await createWorkersBackend({ workers: 2, minTaskWork: 1, kernels: 'wasm' });
    (await convOn(ok)).dispose();
    expect(ok.engine).toBe('worker_threads+sab+wasm-simd');
  });

  it('rejects an unknown kernels option', async () => {
    await expect(createWorkersBackend({ kernels: 'gpu' as never })).rejects.toThrow(/kernels must be/);
  });

  it('the probe names the kernels and ranks shared memory + SIMD above the single-thread wasm backend (25)', async () => {
    const p = (await workersBackend.probe()) as Probe;
    expect(p.available).toBe(true);
    expect(p.reason).toBe('worker_threads+sab+wasm-simd');
    const os = await import('node:os');
    expect(p.priority).toBe(os.availableParallelism() > 1 ? 27 : 20);
    const be = await new Registry().register(workersBackend).create('workers', { workers: 2 });
    expect(be.engine).toBe('worker_threads+sab+wasm-simd');
    await be.dispose?.();
  });
});

/**
 * The benchmark workloads (conv2d), default split policy on 2 workers. The last flag: check
 * the numbers against the float64 reference too (A's references take ~45 s on this machine: there
 * only the routing is checked; its path, batch splits in wasm, is the one B and D check numerically,
 * and ops.test.ts and the conformance suite check it on small shapes).
 */
const WORKLOADS: [string, number[], number[], ConvOptions, boolean][] = [
  ['A 3x3 N=8 C=32 64x64 K=64', [8, 32, 64, 64], [64, 32, 3, 3], { padding: 'same' }, false],
  ['B 5x5 N=64 C=1 28x28 K=32', [64, 1, 28, 28], [32, 1, 5, 5], { padding: 'same' }, true],
  ['C 7x7 s2 N=1 C=3 224x224 K=64', [1, 3, 224, 224], [64, 3, 7, 7], { padding: 'same', stride: 2 }, true],
  ['D 1x1 N=8 C=64 32x32 K=128', [8, 64, 32, 32], [128, 64, 1, 1], { padding: 'same' }, true],
];

describe('benchmark shapes run every conv task in wasm (2 workers, default split)', () => {
  it.each(WORKLOADS)('%s: forward and backward', async (_n, xs, ws, o, numbers) => {
    const be = await createWorkersBackend({ workers: 2 });
    const ctx = new Context(be);
    const xv = rand(sizeOf(xs), 61);
    const wv = rand(sizeOf(ws), 62);
    const x = ctx.tensor(xv, xs);
    const w = ctx.tensor(wv, ws);
    const y = await ctx.conv2d(x, w, o);
    const ry = numbers ? refConv2d({ data: xv, shape: xs }, { data: wv, shape: ws }, null, o) : null;
    if (ry) await expectClose(y, ry, undefined, 'y');
    const fwd = workerPool(be).kernelRuns.conv2d!;
    expect(fwd.js).toBe(0);
    expect(fwd.wasm).toBeGreaterThanOrEqual(2); // batch 1 too: split over both workers
    const dyv = rand(y.size, 63);
    const g = await ctx.conv2dBackward(x, w, ctx.tensor(dyv, y.shape), o);
    for (const k of ['conv2dBackwardData', 'conv2dBackwardFilter'] as const) {
      expect(workerPool(be).kernelRuns[k]!.js, k).toBe(0);
      expect(workerPool(be).kernelRuns[k]!.wasm, k).toBeGreaterThanOrEqual(2);
    }
    if (ry) {
      const rg = refConv2dBackward({ data: xv, shape: xs }, { data: wv, shape: ws }, { data: dyv, shape: ry.shape }, o);
      // the conformance rule (CONVENTIONS.md, @convkit/conformance tolerance.ts): 1e-4 scaled by
      // max(1, reduction / 512); dx sums K*kH*kW terms, dW N*outH*outW
      const tol = (reduction: number) => ({ atol: 1e-4 * Math.max(1, reduction / 512), rtol: 1e-4 * Math.max(1, reduction / 512) });
      await expectClose(g.dx, rg.dx, tol(ws[0]! * ws[2]! * ws[3]!), 'dx');
      await expectClose(g.dw, rg.dw, tol(xs[0]! * ry.shape[2]! * ry.shape[3]!), 'dw');
    }
    await ctx.dispose();
  });

  it('gemm splits by rows in wasm', async () => {
    const be = await createWorkersBackend({ workers: 2 });
    const ctx = new Context(be);
    const [m, k, n] = [64, 288, 512];
    const a = rand(m * k, 71);
    const b = rand(k * n, 72);
    const y = await ctx.gemm(ctx.tensor(a, [m, k]), ctx.tensor(b, [k, n]));
    await expectClose(y, refGemm({ data: a, shape: [m, k] }, { data: b, shape: [k, n] }));
    expect(workerPool(be).kernelRuns.gemm!.js).toBe(0);
    expect(workerPool(be).kernelRuns.gemm!.wasm).toBeGreaterThanOrEqual(2);
    await ctx.dispose();
  });
});
