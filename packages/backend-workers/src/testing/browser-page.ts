/**
 * The page the browser test loads (bundled by esbuild next to the worker bundle, so the default
 * new URL('./worker.js', import.meta.url) finds it). Runs the cases on the workers backend, then
 * kills a worker mid-op, and leaves the report in window.__report.
 */
import { BackendExecutionError, Registry, createContext, type Context } from '@convkit/core';
import { runInPage } from '@convkit/conformance/browser';
import { wasmBackend } from '@convkit/backend-wasm';
import { createWorkersBackend, workersBackend, type WorkersBackend } from '../../dist/index.js';
import { workerPool } from '../../dist/testing.js';
import { CASES } from './cases.js';

interface Report {
  engine: string;
  /** whether `engine` came from the workers' own report (read after the op cases) */
  kernelsVerified: boolean;
  /** per kernel with a wasm version: tasks the workers ran in wasm / js */
  kernelRuns: Record<string, { wasm: number; js: number }>;
  /** what backend 'auto' picks among workers and the single-thread wasm backend on this page */
  auto: { backend: string; engine: string } | null;
  crossOriginIsolated: boolean;
  poolSize: number;
  results: { name: string; error: string }[];
  lifecycle: { name: string; error: string }[];
  /** the conformance suite (golden cases, + uwnet when served): counts and failures */
  conformance: { engine: string; counts: Record<string, number>; failures: string[] } | null;
  done: boolean;
}

const report: Report = {
  engine: '',
  kernelsVerified: false,
  kernelRuns: {},
  auto: null,
  crossOriginIsolated: false,
  poolSize: 0,
  results: [],
  lifecycle: [],
  conformance: null,
  done: false,
};
(globalThis as any).__report = report;

async function conv(ctx: Context) {
  const x = ctx.tensor(new Float32Array(2 * 4 * 16 * 16).fill(1), [2, 4, 16, 16]);
  const w = ctx.tensor(new Float32Array(4 * 4 * 3 * 3).fill(1), [4, 4, 3, 3]);
  return ctx.conv2d(x, w);
}

async function lifecycle(ctx: Context, be: WorkersBackend): Promise<void> {
  const add = (name: string, error: string) => report.lifecycle.push({ name, error });
  const pool = workerPool(be);
  add('lazy start', pool.liveWorkers === 0 ? '' : `${pool.liveWorkers} workers before the first op`);
  let y = await conv(ctx);
  const v = await y.read();
  add('first op', v[17] === 36 && pool.liveWorkers === 2 ? '' : `centre ${v[17]}, ${pool.liveWorkers} workers`);
  // terminate a worker while it is inside an op
  pool.injectFault(1, 'stall');
  const op = conv(ctx).then(
    () => null,
    (e) => e,
  );
  await pool.whenStalled(1);
  await pool.terminateWorker(1);
  const e = await op;
  add(
    'terminate mid-op rejects',
    e instanceof BackendExecutionError && /worker 1 was terminated/.test(e.message) ? '' : `got ${e}`,
  );
  y = await conv(ctx);
  add('next op after terminate', (await y.read())[17] === 36 && pool.spawnedWorkers === 3 ? '' : 'wrong');
  // a worker that crashes on its own (uncaught error event)
  pool.injectFault(0, 'crash');
  const e2 = await conv(ctx).then(
    () => null,
    (err) => err,
  );
  add('crash detected', e2 instanceof BackendExecutionError && /uncaught error/.test(e2.message) ? '' : `got ${e2}`);
  y = await conv(ctx);
  add('next op after crash', (await y.read())[17] === 36 ? '' : 'wrong');
  await ctx.dispose();
  add('dispose ends workers', pool.liveWorkers === 0 && pool.endedWorkers === pool.spawnedWorkers ? '' : 'workers left');
}

async function main() {
  const registry = new Registry().register(workersBackend);
  const split = await createContext({ backend: 'workers', registry, backendOptions: { workers: 3, minTaskWork: 1 } });
  const sbe = split.backend as unknown as WorkersBackend;
  report.crossOriginIsolated = (globalThis as any).crossOriginIsolated === true;
  report.poolSize = workerPool(sbe).size;
  for (const [name, f] of CASES) {
    try {
      report.results.push({ name, error: await f(split) });
    } catch (e) {
      report.results.push({ name, error: `threw ${(e as Error)?.stack ?? e}` });
    }
  }
  // after the ops ran: what the Web Workers reported, and which kernel set ran each task
  report.engine = split.engine;
  report.kernelsVerified = sbe.kernelsVerified;
  report.kernelRuns = { ...workerPool(sbe).kernelRuns } as Report['kernelRuns'];
  await split.dispose();
  const ctx = await createContext({ backend: 'workers', registry, backendOptions: { workers: 2, minTaskWork: 1 } });
  try {
    await lifecycle(ctx, ctx.backend as unknown as WorkersBackend);
  } catch (e) {
    report.lifecycle.push({ name: 'lifecycle threw', error: String((e as Error)?.stack ?? e) });
  }
  const auto = await createContext({ backend: 'auto', registry: new Registry().register(workersBackend).register(wasmBackend) });
  report.auto = { backend: auto.backendName, engine: auto.engine };
  await auto.dispose();
  const q = new URLSearchParams(location.search);
  if (q.get('golden')) {
    const r = await runInPage({
      golden: new URL('golden/', location.href).href,
      uwnet: q.get('uwnet') ? new URL('uwnet/', location.href).href : null,
      create: () => createWorkersBackend({ workers: 3, minTaskWork: 1 }),
    });
    const counts: Record<string, number> = {};
    for (const c of r.results) counts[c.status] = (counts[c.status] ?? 0) + 1;
    report.conformance = {
      engine: r.engine,
      counts,
      failures: r.results.filter((c) => c.status !== 'pass').map((c) => `${c.status}: ${c.op} ${c.case}: ${c.message}`),
    };
  }
  report.done = true;
}

main().catch((e) => {
  report.results.push({ name: 'page', error: String(e?.stack ?? e) });
  report.done = true;
});
