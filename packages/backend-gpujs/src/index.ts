export { GpujsBackend, type GpujsBackendOptions } from './backend.js';
// every option key (the descriptor's optionKeys); importing it also brings the BackendOptionsMap entry
export { GPUJS_OPTION_KEYS } from './options.js';
export {
  gpujsDescriptor,
  createGpujsDescriptor,
  register,
  probeModes,
  GPU_PRIORITY,
  SOFTWARE_PRIORITY,
  type GpujsDescriptorOptions,
} from './descriptor.js';
export { GpuContextLostError, CpuFallbackError } from './engine.js';
export { GPUJS_MODES, probeMode, type GpujsMode, type ModeProbe, type ProbeOptions } from './platform.js';
export type { AdapterReport, GpuLike } from './webgpu-node.js';
export type { ConvAlgorithm } from './ops/conv2d.js';

import type { GpujsBackendOptions } from './backend.js';
import { GpujsBackend } from './backend.js';
import { gpujsDescriptor } from './descriptor.js';

/** The registry descriptor under the names the other backend packages use (`jsBackend`, `workersBackend`). */
export const gpujsBackend = gpujsDescriptor;
export { gpujsDescriptor as descriptor };

/** Creates the backend directly (without a registry). */
export function createGpujsBackend(options?: GpujsBackendOptions): Promise<GpujsBackend> {
  return GpujsBackend.create(options);
}
