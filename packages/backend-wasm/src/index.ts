export {
  WasmBackend,
  createWasmBackend,
  createWasmBackendAsync,
  wasmBackend,
  register,
  WASM_PRECISION,
  WASM_NATIVE_OPS,
  type WasmBackendOptions,
  type WasmFallbackBackend,
} from './backend.js';
export * as drivers from './drivers/index.js';
export { WasmRawKernels, createWasmRawKernels } from './raw.js';
