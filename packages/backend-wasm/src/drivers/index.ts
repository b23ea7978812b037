/**
 * Pointer-level drivers of the wasm kernels: each computes a RANGE of one op's output on whole
 * tensors living in the kernels' memory (byte offsets), with a caller-provided per-thread
 * workspace. They keep no state: worker threads that instantiate the kernels on one shared
 * WebAssembly.Memory can run disjoint ranges concurrently (see README, "Workers").
 */
export { type Workspace, COLS_CHUNK, rowsPerChunk, isPointwise } from './workspace.js';
export { conv2dForward, planConv2d, conv2dPath, useWinograd, type Conv2dPlan, type Conv2dPath } from './conv2d.js';
export {
  conv2dBackwardData,
  conv2dBackwardDataWorkspaceBytes,
  conv2dBackwardFilter,
  conv2dBackwardFilterWorkspaceBytes,
  conv2dBackwardBias,
} from './conv2d_backward.js';
export { gemm, gemmWorkspaceBytes } from './gemm.js';
export { maxpool2d, maxpool2dBackward } from './maxpool.js';
