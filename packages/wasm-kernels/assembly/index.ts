// convkit WebAssembly SIMD kernels. Every function works on raw byte offsets into the (imported)
// linear memory and keeps no global state, so one memory can be shared by many instances (threads).
export { sgemm, gemmWorkspaceBytes, addBiasCols, addBiasRows, splitImages } from './gemm';
export { im2colImage, col2imImage } from './im2col';
export { depthwisePlane, depthwiseFilterGradPlane } from './depthwise';
export { maxpoolPlanes, maxpoolBackward } from './maxpool';
export { winogradFilter, winogradInput, winogradOutput, allFinite } from './winograd';
export { addRows, subRows, mulRows } from './elementwise';
export { bnStats, bnApply, bnBackwardSums, bnBackwardApply } from './batchnorm';
export { avgpoolPlanes, avgpoolScratchFloats, globalAvgPlanes } from './pool';
export { softmaxAxis, softmaxAxisBackward } from './softmax';

/** First byte past the module's static data: callers allocate from here on. */
export function heapBase(): usize {
  return __heap_base;
}

/** Self-check the host can call: 1 when SIMD code runs. */
export function simdSelfTest(): i32 {
  const v = f32x4.add(f32x4.splat(1.5), f32x4.splat(2.5));
  return f32x4.extract_lane(v, 3) == 4.0 ? 1 : 0;
}
