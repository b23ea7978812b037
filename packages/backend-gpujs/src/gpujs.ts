/**
 * Loads gpu.js the same way in Node (CommonJS main: an object of exports) and in a browser bundle
 * (the UMD build: the GPU class carrying every export as a static property).
 */
import * as gpujsNs from 'gpu.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ns: any = gpujsNs;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const lib: any = ns.GPU ? ns : ns.default && ns.default.GPU ? ns.default : ns.default ?? ns;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const GPU: any = lib.GPU;
/** gpu.js's page-wide WebGPU device singleton ({ adapter, device, isLost }). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const WebGPUContext: any = lib.WebGPUContext;
/** gpu.js's pipeline handle around a GPUBuffer; the WGSL kernels (src/webgpu) produce the same class. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const WebGPUBufferResult: any = lib.WebGPUBufferResult;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const kernelClasses: Record<string, any> = {
  HeadlessGLKernel: lib.HeadlessGLKernel,
  WebGL2Kernel: lib.WebGL2Kernel,
  WebGLKernel: lib.WebGLKernel,
  WebGPUKernel: lib.WebGPUKernel,
  WebAssemblyKernel: lib.WebAssemblyKernel,
  CPUKernel: lib.CPUKernel,
};

/** The engine a gpu.js kernel instance really is (subclasses first: HeadlessGL and WebGL2 extend WebGL). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function engineOfKernel(k: any): string {
  const c = kernelClasses;
  if (!k) return 'unknown';
  if (c.HeadlessGLKernel && k instanceof c.HeadlessGLKernel) return 'headlessgl';
  if (c.WebGL2Kernel && k instanceof c.WebGL2Kernel) return 'webgl2';
  if (c.WebGLKernel && k instanceof c.WebGLKernel) return 'webgl';
  if (c.WebGPUKernel && k instanceof c.WebGPUKernel) return 'webgpu';
  if (c.WebAssemblyKernel && k instanceof c.WebAssemblyKernel) return 'webasm';
  if (c.CPUKernel && k instanceof c.CPUKernel) return 'cpu';
  return String(k.constructor?.mode ?? k.constructor?.name ?? 'unknown');
}
