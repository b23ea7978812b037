import { defineBackend, registry as defaultRegistry, type BackendDescriptor, type DefinedBackend, type KernelBackend, type Precision, type Registry } from '@convkit/core';
import { JsRuntime } from './runtime.js';
import { jsKernels } from './kernels.js';

/**
 * Float32 storage, float64 accumulation inside register tiles and reductions: meets
 * atol = rtol = 1e-4 on unit-scale data (CONVENTIONS.md, "Tolerances").
 */
export const JS_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

declare module '@convkit/core' {
  interface BackendOptionsMap {
    /** the js backend takes no options */
    js: Record<string, never>;
  }
}

/**
 * The js backend object: every op of the interface (jsKernels), synchronous, and `readSync`
 * (defineBackend forwards it because JsRuntime has it).
 */
export type JsBackend = DefinedBackend<typeof jsKernels, Record<never, never>> & Required<Pick<KernelBackend, 'readSync'>>;

/** The pure-TypeScript, single-thread backend: the jsKernels table on a JsRuntime. */
export function createJsBackend(): JsBackend {
  return defineBackend({ name: 'js', engine: 'js', precision: JS_PRECISION, runtime: new JsRuntime(), kernels: jsKernels }) as JsBackend;
}

/** Registry descriptor: priority 10, available everywhere. */
export const jsBackend: BackendDescriptor = {
  name: 'js',
  priority: 10,
  optionKeys: [],
  probe: () => ({ available: true, reason: 'pure TypeScript, one thread' }),
  create: () => createJsBackend(),
};

/** Registers the js backend on `registry` (default: core's process-wide registry) and returns it. */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(jsBackend);
}
