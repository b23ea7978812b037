import type { GpujsBackendOptions } from './backend.js';

/**
 * Every key of GpujsBackendOptions (the descriptor's `optionKeys`: core refuses any other key
 * with the nearest valid one). A Record, so adding an option without listing it is a type error.
 */
export const GPUJS_OPTION_KEYS: readonly (keyof GpujsBackendOptions)[] = Object.freeze(
  Object.keys({
    mode: true,
    allowCpuFallback: true,
    convAlgorithm: true,
    wgsl: true,
    gpu: true,
  } satisfies Record<keyof GpujsBackendOptions, true>) as (keyof GpujsBackendOptions)[],
);

declare module '@convkit/core' {
  interface BackendOptionsMap {
    gpujs: GpujsBackendOptions;
  }
}
