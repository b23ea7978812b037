/** The workers backend's options (`createWorkersBackend(options)`, `backendOptions` of a context). */
export interface WorkersBackendOptions {
  /** Pool size. Default: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
  workers?: number;
  /**
   * URL of the worker script. Default: worker.js beside this module (dist/worker.js); a browser
   * bundle must ship the worker bundle at that URL or pass its own.
   */
  workerUrl?: string | URL;
  /** Copy operands to the workers instead of sharing memory, even where SharedArrayBuffer works. */
  forceCopy?: boolean;
  /**
   * Smallest work (multiply-adds or elements) worth one task; smaller ops use fewer workers.
   * Default 65536. 1 splits every op over every worker (tests use it).
   */
  minTaskWork?: number;
  /** Most tasks per worker a big op is cut into (workers pull them as they finish). Default 4. */
  tasksPerWorker?: number;
  /**
   * Kernels the workers run for conv2d (forward, dx, dW), gemm and maxpool2d. 'auto' (default):
   * @convkit/backend-wasm's WebAssembly SIMD kernels where wasm SIMD validates, else the js kernels
   * (reported by `engine` and `fallbackReason`); 'wasm': SIMD kernels or an error; 'js': always the
   * js kernels (results bit-identical to the js backend). The other ops always run js kernels.
   */
  kernels?: WorkersKernelsOption;
  /**
   * Test hook: make the WebAssembly SIMD probe fail, on the main thread and in the workers (true)
   * or only in the workers ('workers', so the engine must change to what the workers report).
   */
  simulateNoSimd?: boolean | 'workers';
  /**
   * Node, shared memory: the main thread computes a share of every op itself (the last
   * tasks / (workers + 1) tasks of it, synchronously, with its own kernels on the same shared
   * buffers) while the workers compute the rest, and runs one-task ops alone, as XNNPACK's pool
   * computes on the calling thread. Saves waking a sleeping worker and waiting for the main thread
   * to be scheduled for its answers (on a 2-vCPU VM each cost 0.5-3 ms per op). The default pool
   * size becomes cores - 1. Blocks the main thread while it computes. Default false.
   */
  hostThread?: boolean;
}

/** The `kernels` option of the workers backend. */
export type WorkersKernelsOption = 'auto' | 'wasm' | 'js';

/**
 * Every key of WorkersBackendOptions (the descriptor's `optionKeys`: core refuses any other key
 * with the nearest valid one). A Record, so adding an option without listing it is a type error.
 */
export const WORKERS_OPTION_KEYS: readonly (keyof WorkersBackendOptions)[] = Object.freeze(
  Object.keys({
    workers: true,
    workerUrl: true,
    forceCopy: true,
    minTaskWork: true,
    tasksPerWorker: true,
    kernels: true,
    simulateNoSimd: true,
    hostThread: true,
  } satisfies Record<keyof WorkersBackendOptions, true>) as (keyof WorkersBackendOptions)[],
);

declare module '@convkit/core' {
  interface BackendOptionsMap {
    workers: WorkersBackendOptions;
  }
}
