export {
  createWasmBackend,
  createWasmBackendAsync,
  wasmBackend,
  register,
  WASM_PRECISION,
  type WasmBackend,
  type WasmBackendOptions,
  type WasmFallbackBackend,
} from './backend.js';
export { WasmRuntime } from './runtime.js';
export { wasmKernels } from './kernels.js';
