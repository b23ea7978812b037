export { GpujsBackend, type GpujsBackendOptions } from './backend.js';
export { gpujsDescriptor, register, probeModes, GPU_PRIORITY, SOFTWARE_PRIORITY } from './descriptor.js';
export { GpuContextLostError, CpuFallbackError } from './engine.js';
export { GPUJS_MODES, probeMode, type GpujsMode, type ModeProbe } from './platform.js';
export type { ConvAlgorithm } from './ops/conv2d.js';
