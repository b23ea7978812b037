import type { Probe } from '@convkit/core';
import { defaultPoolSize, isNode, workersAvailable } from './env.js';
import { WorkersRuntime } from './runtime.js';
import { gemm } from './ops/gemm.js';

/** How long the probe waits for its worker to start and answer (a hung worker means unavailable). */
export const PROBE_TIMEOUT_MS = 10_000;

export interface ProbeWorkersOptions {
  /** the worker script (default: the backend's own, as `create()` uses) */
  workerUrl?: URL;
  timeoutMs?: number;
}

/**
 * The workers backend's probe: 'available' only once one real worker (the backend's worker script,
 * default options) has started, said which kernels it runs and answered a 2x3 x 3x2 GEMM with the
 * right numbers; the worker is then ended. The reason is the engine that worker reported
 * (e.g. 'worker_threads+sab+wasm-simd'), or why it did not start: the worker's own error, a wrong
 * answer, or no answer within `timeoutMs`.
 */
export async function probeWorkers(o: ProbeWorkersOptions = {}): Promise<Probe> {
  const w = await workersAvailable();
  if (!w.ok) return { available: false, reason: w.reason };
  const timeoutMs = o.timeoutMs ?? PROBE_TIMEOUT_MS;
  let rt: WorkersRuntime;
  try {
    rt = new WorkersRuntime({ workers: 1, ...(o.workerUrl ? { workerUrl: o.workerUrl } : {}) });
  } catch (e) {
    return { available: false, reason: `the backend could not be set up: ${(e as Error)?.message ?? e}` };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // A (2x3) = [[1,2,3],[4,5,6]], B (3x2) = [[1,0],[0,1],[1,1]]: A B = [[4,5],[10,11]]
    const a = rt.write(new Float32Array([1, 2, 3, 4, 5, 6]), 'float32');
    const b = rt.write(new Float32Array([1, 0, 0, 1, 1, 1]), 'float32');
    const run = gemm(rt, a, b, null, null, { m: 2, n: 2, k: 3, transA: false, transB: false, alpha: 1, beta: 0 }).then((c) => rt.read(c));
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`its worker did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const got = Array.from(await Promise.race([run, late]));
    const want = [4, 5, 10, 11];
    if (got.length !== 4 || got.some((v, i) => v !== want[i])) {
      return { available: false, reason: `its worker answered a 2x3 x 3x2 gemm with [${got.join(', ')}], expected [${want.join(', ')}]` };
    }
    if (!rt.kernelsVerified) return { available: false, reason: 'its worker answered without reporting its kernels' };
    const cores = await defaultPoolSize();
    const engine = rt.engine;
    return {
      available: true,
      reason: engine,
      priority: rt.shared ? (rt.kernels === 'wasm-simd' && cores > 1 ? 27 : 20) : 5,
    };
  } catch (e) {
    const m = (e as Error)?.message ?? String(e);
    return { available: false, reason: `${isNode() ? 'worker_threads' : 'web-workers'}: a worker did not start: ${m.replace(/^gemm: backend 'workers' failed: /, '').replace(/; the op's outputs were not produced.*$/s, '')}` };
  } finally {
    clearTimeout(timer);
    await rt.dispose().catch(() => {});
  }
}
