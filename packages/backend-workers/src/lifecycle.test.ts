/**
 * Pool lifecycle: lazy start, dispose, idle workers not keeping Node alive, and workers that die
 * mid-op (terminated, crashed, exited): the op rejects with a BackendExecutionError, produces no
 * output, and the next op runs on a replacement worker and is right.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackendExecutionError, BackendUnavailableError, Context } from '@convkit/core';
import { refBatchNorm2d, refConv2d, refSgd, refSoftmax } from '@convkit/reference';
import { createWorkersBackend } from '../dist/index.js';
import type { Fault } from '../dist/testing.js';
import { backendOf, expectClose, poolOf, rand, workerPool, workersContext } from './testing/helpers.js';

const XS = [2, 8, 24, 24];
const WS = [8, 8, 3, 3];
const xd = rand(XS.reduce((a, b) => a * b), 31);
const wd = rand(WS.reduce((a, b) => a * b), 32);
const ref = refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, null, {});

/** A conv2d split in two tasks (one per worker of a 2-worker pool). */
async function conv(ctx: Context) {
  return ctx.conv2d(ctx.tensor(xd, XS), ctx.tensor(wd, WS));
}

describe('lazy start and dispose', () => {
  it('starts no worker before the first op, then one per task', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    expect(pool.size).toBe(2);
    expect(pool.liveWorkers).toBe(0);
    const x = ctx.tensor(xd, XS);
    ctx.tensor(wd, WS);
    expect(pool.liveWorkers).toBe(0);
    expect(await x.read()).toEqual(xd); // reads need no worker
    expect(pool.liveWorkers).toBe(0);
    await expectClose(await conv(ctx), ref);
    expect(pool.liveWorkers).toBe(2);
    expect(pool.spawnedWorkers).toBe(2);
    await ctx.dispose();
  });

  it('dispose() ends every worker thread; later ops reject', async () => {
    const be = await createWorkersBackend({ workers: 2, minTaskWork: 1 });
    const { Context } = await import('@convkit/core');
    const ctx = new Context(be);
    await conv(ctx);
    expect(workerPool(be).liveWorkers).toBe(2);
    await ctx.dispose();
    expect(workerPool(be).liveWorkers).toBe(0);
    expect(workerPool(be).endedWorkers).toBe(2); // the threads' 'exit' events fired
    expect(be.memory().dataIds).toBe(0);
    const p = { size: 4 };
    await expect(Promise.resolve().then(() => be.relu(be.write(new Float32Array(4), 'float32'), p.size))).rejects.toThrow(
      /disposed/,
    );
  });

  it('batch 1 still uses every worker (default split policy)', async () => {
    const ctx = await workersContext({ workers: 3 });
    const pool = poolOf(ctx);
    const x1 = ctx.tensor(xd.subarray(0, 8 * 24 * 24), [1, 8, 24, 24]);
    const y = await ctx.conv2d(x1, ctx.tensor(wd, WS));
    expect(pool.stats.tasks).toBeGreaterThanOrEqual(3);
    expect(pool.liveWorkers).toBe(3);
    const t0 = pool.stats.tasks;
    const r1 = refConv2d({ data: xd.subarray(0, 8 * 24 * 24), shape: [1, 8, 24, 24] }, { data: wd, shape: WS }, null, {});
    await expectClose(y, r1);
    const g = await ctx.gemm(ctx.tensor(rand(2 * 300, 36), [2, 300]), ctx.tensor(rand(300 * 400, 37), [300, 400]));
    expect(pool.stats.tasks - t0).toBeGreaterThanOrEqual(3); // a 2-row GEMM is split into column tiles
    expect(g.shape).toEqual([2, 400]);
    await ctx.dispose();
  });

  it('workers pull tasks: a slowed-down worker takes fewer, the result is unchanged', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    await conv(ctx);
    const before = pool.tasksPerWorker;
    pool.injectFault(1, 'slow'); // worker 1's next task takes 0.4 s longer
    await expectClose(await conv(ctx), ref);
    const [d0, d1] = pool.tasksPerWorker.map((n, i) => n - before[i]!);
    expect(d0! + d1!).toBeGreaterThanOrEqual(4);
    // its slow task (plus at most one more); worker 0 did the rest meanwhile
    expect(d1).toBeLessThanOrEqual(2);
    expect(d0).toBeGreaterThan(2 * d1!);
    await ctx.dispose();
  });

  it('default pool size is the number of cores', async () => {
    const os = await import('node:os');
    const be = await createWorkersBackend();
    expect(workerPool(be).size).toBe(os.availableParallelism());
    await be.dispose();
  });

  it('an op in flight when dispose() is called rejects instead of hanging', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    pool.injectFault(0, 'stall');
    const op = conv(ctx);
    await pool.whenStalled(0);
    const res = op.then(
      () => null,
      (e) => e,
    );
    await backendOf(ctx).dispose();
    const e = await res;
    expect(e).toBeInstanceOf(BackendExecutionError);
    expect(String(e.message)).toMatch(/disposed/);
    expect(pool.liveWorkers).toBe(0);
  });
});

describe('a worker dying mid-op', () => {
  it('terminateWorker(i) while the op runs: that op rejects, the next one is right', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    await conv(ctx); // both workers up
    const before = ctx.memory();
    pool.injectFault(1, 'stall');
    const op = conv(ctx).then(
      () => null,
      (e) => e,
    );
    await pool.whenStalled(1); // worker 1 is inside the op now
    await pool.terminateWorker(1);
    const e = await op;
    expect(e).toBeInstanceOf(BackendExecutionError);
    expect(e.op).toBe('conv2d');
    expect(e.backend).toBe('workers');
    expect(e.message).toMatch(/worker 1 was terminated/);
    expect(e.message).toMatch(/outputs were not produced/);
    // no output was produced: only the two inputs of the failed call remain
    expect(ctx.memory().backend.dataIds).toBe(before.backend.dataIds + 2);
    expect(pool.liveWorkers).toBe(1);
    expect(pool.endedWorkers).toBe(1);
    await expectClose(await conv(ctx), ref, undefined, 'after replacement');
    expect(pool.liveWorkers).toBe(2);
    expect(pool.spawnedWorkers).toBe(3);
    await ctx.dispose();
  });

  it.each([
    ['crash', /worker 0 died: uncaught error in the worker: injected crash/],
    ['exit', /worker 0 died: the worker thread exited \(code 3\)/],
  ] as const)('a worker that %ses on its own is detected (no timeout), then replaced', async (fault, msg) => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    pool.injectFault(0, fault as Fault);
    const e = await conv(ctx).then(
      () => null,
      (err) => err,
    );
    expect(e).toBeInstanceOf(BackendExecutionError);
    expect(e.message).toMatch(msg);
    await expectClose(await conv(ctx), ref, undefined, 'after replacement');
    expect(pool.spawnedWorkers).toBe(3);
    await ctx.dispose();
  });

  it('a kernel that throws fails the op; the worker survives', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    pool.injectFault(1, 'throw');
    await expect(conv(ctx)).rejects.toThrow(/worker 1, kernel conv2d: injected kernel failure/);
    await expectClose(await conv(ctx), ref);
    expect(pool.spawnedWorkers).toBe(2);
    await ctx.dispose();
  });

  it('sgd interrupted by a crash leaves w and v unchanged', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    const w0 = rand(4096, 33);
    const g0 = rand(4096, 34);
    const v0 = rand(4096, 35);
    const w = ctx.tensor(w0, [4096]);
    const g = ctx.tensor(g0, [4096]);
    const v = ctx.tensor(v0, [4096]);
    const o = { lr: 0.5, momentum: 0.9, weightDecay: 0.1 };
    pool.injectFault(1, 'crash');
    await expect(ctx.sgd(w, g, v, o)).rejects.toBeInstanceOf(BackendExecutionError);
    expect(await w.read()).toEqual(w0);
    expect(await v.read()).toEqual(v0);
    await ctx.sgd(w, g, v, o);
    const r = refSgd({ data: w0, shape: [4096] }, { data: g0, shape: [4096] }, { data: v0, shape: [4096] }, o);
    await expectClose(w, r.w, undefined, 'w');
    await expectClose(v, r.v, undefined, 'v');
    await ctx.dispose();
  });

  it.each(['stall', 'crash', 'exit', 'throw'] as const)(
    'issue-20 ops (batchNorm2d with running statistics, softmax): a worker fault (%s) fails the op with no output, the next op is right',
    async (fault) => {
      const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
      const pool = poolOf(ctx);
      const xs = [2, 6, 5, 4];
      const xd2 = rand(240, 36);
      const x = ctx.tensor(xd2, xs);
      const rm = ctx.tensor(new Float32Array(6), [6]);
      const rv = ctx.tensor(new Float32Array(6).fill(1), [6]);
      await ctx.relu(x); // both workers up
      const before = ctx.memory();
      const bn = () => ctx.batchNorm2d(x, { runningMean: rm, runningVar: rv, training: true });
      pool.injectFault(1, fault);
      const op = bn().then(
        () => null,
        (e) => e,
      );
      if (fault === 'stall') {
        await pool.whenStalled(1);
        await pool.terminateWorker(1);
      }
      const e = await op;
      expect(e).toBeInstanceOf(BackendExecutionError);
      expect(e.op).toBe('batchNorm2d');
      // neither y nor the updated running statistics were produced
      expect(ctx.memory().backend.dataIds).toBe(before.backend.dataIds);
      const r = await bn();
      const ref2 = refBatchNorm2d({ data: xd2, shape: xs }, { runningMean: { data: new Float32Array(6), shape: [6] }, runningVar: { data: new Float32Array(6).fill(1), shape: [6] } }, { training: true });
      await expectClose(r.y, ref2.y, undefined, 'y after the failure');
      await expectClose(r.runningVar!, ref2.runningVar!, undefined, 'runningVar after the failure');
      pool.injectFault(0, fault === 'stall' ? 'crash' : fault);
      await expect(ctx.softmax(x, { axis: 1 })).rejects.toBeInstanceOf(BackendExecutionError);
      await expectClose(await ctx.softmax(x, { axis: 1 }), refSoftmax({ data: xd2, shape: xs }, 1), undefined, 'softmax after the failure');
      await ctx.dispose();
    },
  );

  it('a worker script that cannot load: the registry probe (given the same workerUrl) says no with the reason', async () => {
    const workerUrl = new URL('./no-such-worker.js', import.meta.url);
    const err = await workersContext({ workers: 1, workerUrl }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toMatch(/not available here: .*worker 0 died: uncaught error in the worker: .*no-such-worker\.js/);
  });

  it('a worker script that cannot load rejects the op with the reason (backend created without the probe)', async () => {
    const ctx = new Context(await createWorkersBackend({ workers: 1, workerUrl: new URL('./no-such-worker.js', import.meta.url) }));
    await expect(conv(ctx)).rejects.toThrow(/worker 0 died: uncaught error in the worker/);
    await ctx.dispose();
  });
});

describe('process exit', () => {
  const dist = new URL('../dist/index.js', import.meta.url).href;
  const distTesting = new URL('../dist/testing.js', import.meta.url).href;

  function runChild(code: string): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      // a hang shows up as a kill after 30 s (far beyond the ~0.3 s a clean exit takes)
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (c, s) => {
        clearTimeout(t);
        resolve({ code: c, signal: s, out, err });
      });
    });
  }

  it('a process that used the backend and never disposed it still exits', async () => {
    const r = await runChild(`
      import { Context } from '@convkit/core';
      import { createWorkersBackend } from ${JSON.stringify(dist)};
      import { workerPool } from ${JSON.stringify(distTesting)};
      const be = await createWorkersBackend({ minTaskWork: 1 });
      const ctx = new Context(be);
      const x = ctx.tensor(new Float32Array(2 * 4 * 16 * 16).fill(1), [2, 4, 16, 16]);
      const w = ctx.tensor(new Float32Array(4 * 4 * 3 * 3).fill(1), [4, 4, 3, 3]);
      const y = await ctx.conv2d(x, w);
      const v = await y.read();
      console.log('ok', workerPool(be).liveWorkers, v[17]);
    `);
    expect(r.err).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    // workers were alive when the script ended (it did not dispose); the centre pixel sums 4*9 ones
    expect(r.out.trim()).toMatch(/^ok [1-9]\d* 36$/);
  });
});
