import { defineBackend, registry as defaultRegistry, type BackendDescriptor, type DefinedBackend, type KernelBackend, type Precision, type Registry } from '@convkit/core';
import { JS_PRECISION, JsRuntime, jsKernels } from '@convkit/backend-js';
import { instantiateKernels, simdUnavailableReason, type WasmKernels } from '@convkit/wasm-kernels';
import { WasmRuntime } from './runtime.js';
import { wasmKernels } from './kernels.js';

/**
 * float32 storage and float32 accumulation in the SIMD GEMM (depth blocks of <= 256 summed into C):
 * atol = rtol = 1e-4 on unit-scale data, to be scaled by the reduction length for long sums
 * (CONVENTIONS.md "Tolerances"; the conformance rule does that scaling).
 */
export const WASM_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

export interface WasmBackendOptions {
  /** Use this memory (e.g. a shared one a worker pool also uses). Default: a new non-shared memory. */
  memory?: WebAssembly.Memory;
  /** Testing: behave as if WebAssembly SIMD were unavailable (the js fallback). */
  forceFallback?: boolean;
  /** An already instantiated kernels instance (its memory is used; `memory` is then ignored). */
  kernels?: WasmKernels;
}

declare module '@convkit/core' {
  interface BackendOptionsMap {
    wasm: WasmBackendOptions;
  }
}

/** `readSync`: defineBackend forwards it because both runtimes (WasmRuntime, JsRuntime) have it. */
type WithReadSync = Required<Pick<KernelBackend, 'readSync'>>;

/** The wasm backend object with SIMD (engine 'wasm-simd'): every op, and `wasmMemory` (the kernels' memory, for zero-copy interop). */
export type WasmBackend = DefinedBackend<typeof wasmKernels, { readonly wasmMemory: WebAssembly.Memory }> & WithReadSync;
/** The 'wasm' backend without SIMD: the js kernels, engine 'js', and `fallbackReason` (why the SIMD kernels are not used). */
export type WasmFallbackBackend = DefinedBackend<typeof jsKernels, { readonly fallbackReason: string }> & WithReadSync;

/** The single-thread WebAssembly SIMD backend: the wasmKernels table on a WasmRuntime (every tensor lives in one WebAssembly.Memory). */
function simdBackend(options: WasmBackendOptions): WasmBackend {
  const runtime = new WasmRuntime(options.memory, options.kernels);
  return defineBackend({
    name: 'wasm',
    engine: 'wasm-simd',
    precision: WASM_PRECISION,
    runtime,
    kernels: wasmKernels,
    extend: {
      /** The kernels' memory (for zero-copy interop). */
      get wasmMemory(): WebAssembly.Memory {
        return runtime.k.memory;
      },
    },
  }) as WasmBackend;
}

/**
 * The backend 'wasm' falls back to when WebAssembly SIMD is unavailable: backend-js's kernel table
 * on its runtime, named 'wasm' with engine 'js' and the reason (`fallbackReason`).
 */
function fallbackBackend(reason: string): WasmFallbackBackend {
  return defineBackend({ name: 'wasm', engine: 'js', precision: JS_PRECISION, runtime: new JsRuntime(), kernels: jsKernels, extend: { fallbackReason: reason } }) as WasmFallbackBackend;
}

/**
 * The 'wasm' backend: SIMD kernels when WebAssembly 128-bit SIMD validates here, otherwise the js
 * kernels with engine 'js' and `fallbackReason` (never a silent fallback: check `engine`).
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend | WasmFallbackBackend {
  const reason = options.forceFallback ? 'forced by options.forceFallback' : simdUnavailableReason();
  if (reason !== null) return fallbackBackend(`WebAssembly SIMD unavailable (${reason}); using the js kernels`);
  return simdBackend(options);
}

/**
 * Async form (what the registry descriptor uses): compiles and instantiates the module with the
 * async WebAssembly API, which a browser main thread requires for modules over 4 KB.
 */
export async function createWasmBackendAsync(options: WasmBackendOptions = {}): Promise<WasmBackend | WasmFallbackBackend> {
  const reason = options.forceFallback ? 'forced by options.forceFallback' : simdUnavailableReason();
  if (reason !== null) return createWasmBackend(options);
  const kernels = options.kernels ?? (await instantiateKernels(options.memory));
  return simdBackend({ ...options, kernels });
}

/** Registry descriptor: priority 25 with SIMD (above js 10 and workers 20, below gpujs 30), 5 without. */
export const wasmBackend: BackendDescriptor<WasmBackendOptions> = {
  name: 'wasm',
  priority: 25,
  optionKeys: Object.keys({ memory: true, forceFallback: true, kernels: true } satisfies Record<keyof WasmBackendOptions, true>) as (keyof WasmBackendOptions)[],
  probe: () => {
    const reason = simdUnavailableReason();
    return reason === null
      ? { available: true, reason: 'wasm-simd: 128-bit WebAssembly SIMD kernels, one thread' }
      : { available: true, priority: 5, reason: `js fallback: ${reason}` };
  },
  create: (options) => createWasmBackendAsync(options),
};

/** Registers the wasm backend on `registry` (default: core's process-wide registry). */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(wasmBackend);
}
