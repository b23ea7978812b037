/**
 * The probe says 'available' only after a real worker answered a real kernel, and says why not
 * otherwise; ops in flight when the context is disposed reject saying so (no "next op" promise).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendExecutionError, Registry, createContext, type Context } from '@convkit/core';
import { refConv2d, refGemm } from '@convkit/reference';
import { workersBackend } from '../dist/index.js';
import { probeWorkers } from '../dist/probe.js';
import { backendOf, expectClose, rand, workerPool, workersContext } from './testing/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'convkit-workers-probe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('probe', () => {
  it("is available after its worker answered a GEMM; the reason is the engine that worker reported", async () => {
    const p = await probeWorkers();
    expect(p).toEqual({ available: true, reason: 'worker_threads+sab+wasm-simd', priority: expect.any(Number) });
    // the descriptor's probe gives the same answer, and the backend it picks computes right
    expect(await workersBackend.probe()).toEqual(p);
    const ctx = await createContext({ backend: 'auto', registry: new Registry().register(workersBackend), backendOptions: { workers: 2 } });
    const A = rand(12 * 20, 5);
    const B = rand(20 * 7, 6);
    const c = await ctx.gemm(ctx.tensor(A, [12, 20]), ctx.tensor(B, [20, 7]));
    await expectClose(c, refGemm({ data: A, shape: [12, 20] }, { data: B, shape: [20, 7] }));
    expect(ctx.engine).toBe(p.reason);
    await ctx.dispose();
  });

  it('a worker script that cannot load: unavailable, with the loader error', async () => {
    const p = await probeWorkers({ workerUrl: pathToFileURL(join(tmp, 'missing-worker.js')) });
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(/^worker_threads: a worker did not start: worker 0 died: uncaught error in the worker: .*missing-worker\.js/);
    expect(p.reason).not.toMatch(/next op/);
  });

  it('a worker script that throws while loading: unavailable, with its error', async () => {
    const f = join(tmp, 'throwing-worker.mjs');
    writeFileSync(f, "throw new Error('no kernels here');\n");
    const p = await probeWorkers({ workerUrl: pathToFileURL(f) });
    expect(p).toEqual({ available: false, reason: expect.stringMatching(/worker 0 died: uncaught error in the worker: no kernels here/) });
  });

  it('a worker that starts and never answers: unavailable after the timeout, not a hang', async () => {
    const f = join(tmp, 'silent-worker.mjs');
    writeFileSync(f, 'setInterval(() => {}, 1000);\n');
    const p = await probeWorkers({ workerUrl: pathToFileURL(f), timeoutMs: 400 });
    expect(p).toEqual({ available: false, reason: 'worker_threads: a worker did not start: its worker did not answer within 400 ms' });
  });

  it('a worker that exits at once: unavailable, with its exit code', async () => {
    const f = join(tmp, 'exiting-worker.mjs');
    writeFileSync(f, 'process.exit(7);\n');
    const p = await probeWorkers({ workerUrl: pathToFileURL(f) });
    expect(p).toEqual({ available: false, reason: expect.stringMatching(/worker 0 died: the worker thread exited \(code 7\)/) });
  });
});

describe('ops in flight when the context is disposed', () => {
  const XS = [2, 8, 24, 24];
  const WS = [8, 8, 3, 3];
  const xd = rand(XS.reduce((a, b) => a * b), 41);
  const wd = rand(WS.reduce((a, b) => a * b), 42);
  const conv = (ctx: Context) => ctx.conv2d(ctx.tensor(xd, XS), ctx.tensor(wd, WS));
  const settle = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

  it.each([
    ['workers only', { workers: 2, minTaskWork: 1 }],
    ['hostThread', { workers: 1, minTaskWork: 1, hostThread: true }],
  ] as const)('%s: ctx.dispose() rejects every in-flight op saying the backend was disposed, and nothing runs after', async (_n, o) => {
    const ctx = await workersContext(o);
    const be = backendOf(ctx);
    await expectClose(await conv(ctx), refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, null, {}));
    workerPool(be).injectFault(0, 'stall');
    const ops = [settle(conv(ctx)), settle(conv(ctx)), settle(ctx.relu(ctx.tensor(xd, XS)))];
    await workerPool(be).whenStalled(0);
    await ctx.dispose();
    const errs = await Promise.all(ops);
    for (const e of errs) {
      expect(e).toBeInstanceOf(BackendExecutionError);
      expect(e!.message).toMatch(/^(conv2d|relu): backend 'workers' failed: the backend was disposed/);
      expect(e!.message).not.toMatch(/new worker|next op/);
    }
    expect(errs.some((e) => /while the op ran; its outputs were not produced \(dispose ends the backend: no further op can run on it\)/.test(e!.message))).toBe(true);
    expect(workerPool(be).liveWorkers).toBe(0);
    // the backend stays ended: no worker is started again
    const late = await settle(Promise.resolve(be.relu(be.write(new Float32Array(4), 'float32'), 4)));
    expect(late).toBeInstanceOf(BackendExecutionError);
    expect(late!.message).toMatch(/disposed/);
    expect(workerPool(be).liveWorkers).toBe(0);
    expect(workerPool(be).pendingTasks).toBe(0);
  });
});
