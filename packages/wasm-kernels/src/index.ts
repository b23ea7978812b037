export type { KernelExports } from './exports.js';
export { WasmHeap } from './heap.js';
export { simdSupported, simdUnavailableReason } from './simd.js';
export {
  SHARED_MAX_PAGES,
  kernelsWasmBytes,
  compileKernels,
  compileKernelsSync,
  createKernelMemory,
  instantiateKernels,
  instantiateKernelsSync,
  createHeap,
  type WasmKernels,
} from './load.js';
