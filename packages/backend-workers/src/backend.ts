/**
 * The workers backend: a WorkersRuntime (storage, worker pool, split policy; runtime.ts) and the
 * kernel table (kernels.ts) made into a backend by core's defineBackend.
 */
import {
  defineBackend,
  registry as defaultRegistry,
  type BackendDescriptor,
  type DefinedBackend,
  type Precision,
  type Probe,
  type Registry,
} from '@convkit/core';
import { defaultPoolSize, isNode } from './env.js';
import { probeWorkers } from './probe.js';
import { WORKERS_OPTION_KEYS, type WorkersBackendOptions, type WorkersKernelsOption } from './options.js';
import { WorkersRuntime, toWorkerUrl } from './runtime.js';
import { workersKernels } from './kernels.js';

export { DEFAULT_MIN_TASK_WORK } from './runtime.js';
export type { WorkersBackendOptions, WorkersKernelsOption } from './options.js';

/**
 * float32 kernels (backend-js's, or backend-wasm's SIMD kernels that accumulate in float32 depth
 * blocks of <= 256, as the wasm backend): the float32 tolerance of CONVENTIONS.md.
 */
export const WORKERS_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/** Each backend's runtime (for the test hooks of ./testing, which reach the pool through it). */
const runtimes = new WeakMap<object, WorkersRuntime>();

/** The runtime of a backend that createWorkersBackend made; undefined for any other value. */
export function runtimeOf(backend: unknown): WorkersRuntime | undefined {
  return typeof backend === 'object' && backend !== null ? runtimes.get(backend) : undefined;
}

/** What the workers backend reports beyond the backend interface (read-only). */
export interface WorkersBackendInfo {
  /** Whether tensors live in SharedArrayBuffers shared with the workers. */
  readonly shared: boolean;
  /** The `kernels` option as given ('auto' by default). */
  readonly kernelsOption: WorkersKernelsOption;
  /** Threads that compute an op: the workers, plus the main thread with `hostThread`. */
  readonly threads: number;
  /**
   * The kernels the workers run: 'wasm-simd' (conv2d, its dx and dW, gemm and maxpool2d in
   * WebAssembly SIMD, the rest js) or 'js': what the workers reported once one started, before
   * that the main thread's probe, which the workers repeat (`kernelsVerified` says which).
   */
  readonly kernels: 'wasm-simd' | 'js';
  /** Whether `kernels` / `engine` come from the workers' own report (true after the first op). */
  readonly kernelsVerified: boolean;
  /**
   * Why the wasm SIMD kernels are not running although `kernels` was 'auto' (the main thread's or
   * a worker's probe failed); undefined when they run, or when 'js' was asked for.
   */
  readonly fallbackReason: string | undefined;
}

/**
 * The workers backend object: every op of the kernel table split over a pool of workers (see
 * WorkersRuntime), with its WorkersBackendInfo. `engine` is e.g. 'worker_threads+sab+wasm-simd':
 * threads, memory (shared or copied), kernels; '+main-thread' with `hostThread`.
 */
export type WorkersBackend = DefinedBackend<typeof workersKernels, WorkersBackendInfo>;

/** The backend object over `rt`. */
function defineWorkersBackend(rt: WorkersRuntime): WorkersBackend {
  const info: WorkersBackendInfo = {
    shared: rt.shared,
    kernelsOption: rt.kernelsOption,
    threads: rt.threads,
    get kernels() {
      return rt.kernels;
    },
    get kernelsVerified() {
      return rt.kernelsVerified;
    },
    get fallbackReason() {
      return rt.fallbackReason;
    },
  };
  const backend = defineBackend({
    name: rt.name,
    // the workers' own report can change it at the first op (a worker without wasm SIMD)
    engine: () => rt.engine,
    precision: WORKERS_PRECISION,
    runtime: rt,
    kernels: workersKernels,
    extend: info,
  });
  runtimes.set(backend, rt);
  return backend;
}

/** Creates the backend; workers start on the first op. */
export async function createWorkersBackend(o: WorkersBackendOptions = {}): Promise<WorkersBackend> {
  const workers = o.workers ?? (o.hostThread === true && isNode() ? Math.max(1, (await defaultPoolSize()) - 1) : await defaultPoolSize());
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be an integer >= 1, got ${workers}`);
  return defineWorkersBackend(new WorkersRuntime({ ...o, workers }));
}

/**
 * The probe's answer while it holds (a worker answered), per worker script: the platform does not
 * change within a process, but a bundled page may give its own worker URL (options.workerUrl).
 */
const probed = new Map<string, Promise<Probe>>();

/**
 * Registry descriptor. The probe starts one real worker and has it compute a tiny GEMM (see
 * probeWorkers): 'available' means a worker answered with the right numbers, the reason is the
 * engine it reported. Priority 27 with shared memory, wasm SIMD and more than one core (above the
 * single-thread wasm backend's 25, below GPU backends' 30), 20 with shared memory and js kernels
 * (above js's 10), 5 without shared memory (every task copies its operands: the single-thread js
 * or wasm backend is preferred then). A positive answer is kept for the process; a negative one
 * is asked again next time.
 */
export const workersBackend: BackendDescriptor<WorkersBackendOptions> = {
  name: 'workers',
  priority: 20,
  optionKeys: WORKERS_OPTION_KEYS,
  probe(o?: WorkersBackendOptions): Promise<Probe> {
    const url = o?.workerUrl === undefined ? undefined : toWorkerUrl(o.workerUrl);
    const key = url?.href ?? '';
    let p = probed.get(key);
    if (!p) {
      p = probeWorkers(url ? { workerUrl: url } : {});
      probed.set(key, p);
      const mine = p;
      void mine.then((r) => {
        if (!r.available && probed.get(key) === mine) probed.delete(key);
      });
    }
    return p;
  },
  create: (o?: WorkersBackendOptions) => createWorkersBackend(o),
};

/** Registers the workers backend on `registry` (default: core's process-wide registry). */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(workersBackend);
}
