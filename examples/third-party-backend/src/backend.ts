import { defineBackend, type BackendDescriptor, type Precision, type Registry } from '@convkit/core';
import { naiveKernels } from './kernels.js';
import { NaiveRuntime } from './runtime.js';

/** float64 accumulation, float32 storage: the float32 contract of CONVENTIONS.md. */
export const NAIVE_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/** Every op of the interface as plain loops: slow, short, and easy to check. */
export function createNaiveBackend() {
  return defineBackend({
    name: 'naive',
    engine: 'js',
    precision: NAIVE_PRECISION,
    runtime: new NaiveRuntime(),
    kernels: naiveKernels,
  });
}

/** The naive backend object (what createNaiveBackend returns). */
export type NaiveBackend = ReturnType<typeof createNaiveBackend>;

declare module '@convkit/core' {
  interface BackendOptionsMap {
    /** the naive backend takes no options */
    naive: Record<string, never>;
  }
}

/** Registry descriptor. Priority 1: never chosen by 'auto' over the project's own backends. */
export const naiveBackend: BackendDescriptor = {
  name: 'naive',
  priority: 1,
  optionKeys: [],
  probe: () => ({ available: true, reason: 'plain loops, any ES2022 runtime' }),
  create: () => createNaiveBackend(),
};

/** Adds the naive backend to a registry. */
export function register(registry: Registry): Registry {
  return registry.register(naiveBackend);
}
