export { createGpujsBackend, type GpujsBackend, type GpujsBackendOptions } from './backend.js';
// every option key (the descriptor's optionKeys); importing it also brings the BackendOptionsMap entry
export { GPUJS_OPTION_KEYS } from './options.js';
export { gpujsBackend, register, probeModes, GPU_PRIORITY, SOFTWARE_PRIORITY, type GpujsRegisterOptions } from './descriptor.js';
export { GpuContextLostError, CpuFallbackError } from './engine.js';
export { GPUJS_MODES, probeMode, type GpujsMode, type ModeProbe, type ProbeOptions } from './platform.js';
export type { AdapterReport, GpuLike } from './webgpu-node.js';
export type { ConvAlgorithm } from './ops/conv2d.js';
