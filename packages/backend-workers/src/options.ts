import type { WorkersBackendOptions } from './backend.js';

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
