/**
 * convkit in one install: @convkit/core's public API, plus `registerAll` / `createContext` that
 * register every backend package that is installed (js, wasm, workers; gpujs when its optional
 * package is there) so that `createContext()` runs on the best one that starts on this platform.
 */
export * from '@convkit/core';
export {
  createContext,
  registerAll,
  probeBackends,
  BACKEND_PACKAGES,
  type BackendPackage,
  type BackendInstall,
  type BackendStatus,
} from './backends.js';
// the backends' option types (these imports also bring each one's BackendOptionsMap entry, so
// `backendOptions` is typed per backend name); gpujs's come with @convkit/backend-gpujs itself
export type { JsBackend } from '@convkit/backend-js';
export type { WasmBackendOptions } from '@convkit/backend-wasm';
export type { WorkersBackendOptions, WorkersKernelsOption } from '@convkit/backend-workers';
