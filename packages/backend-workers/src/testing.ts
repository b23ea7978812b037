/**
 * `@convkit/backend-workers/testing`: the worker pool behind a workers backend, with its
 * diagnostics (`kernelReport`, `kernelRuns`, `hostTasks`, `stats`, `profile`, `liveWorkers`, ...)
 * and test hooks (`injectFault`, `whenStalled`, `terminateWorker`). For tests, benchmarks and
 * profiling scripts; not part of the public API (it may change in any release).
 */
import type { KernelBackend } from '@convkit/core';
import { runtimeOf } from './backend.js';
import type { WorkerPool } from './pool.js';

export { WorkerPool, type KernelReport, type TaskProfile } from './pool.js';
export type { Fault, WorkerKernels } from './protocol.js';

/**
 * The worker pool of a backend made by createWorkersBackend (or the `workers` descriptor), e.g.
 * `workerPool(ctx.backend).injectFault(0, 'stall')`. Throws a TypeError for any other backend.
 */
export function workerPool(backend: KernelBackend): WorkerPool {
  const rt = runtimeOf(backend);
  if (!rt) throw new TypeError(`workerPool: not a workers backend (got ${describe(backend)})`);
  return rt.pool;
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string') return `backend '${(v as { name: string }).name}'`;
  return v === null ? 'null' : typeof v;
}
