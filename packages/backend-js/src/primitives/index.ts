/**
 * Raw kernels of @convkit/backend-js: pure functions on typed arrays that write into
 * caller-provided outputs and can compute a sub-range of the work (see KERNELS.md).
 * No runtime imports but the dependency-free `@convkit/core/geometry`, no Node built-ins: safe in
 * worker_threads and browser Web Workers.
 */
export { Scratch, createScratch, fill } from './scratch.js';
export { sgemm, MR, NR } from './sgemm.js';
export { gemm } from './gemm.js';
export { im2col, col2im, im2colImage, col2imImage } from './im2col.js';
export { conv2d, flippedWeights, useDirectCg1, allFinite } from './conv2d.js';
export { conv2dWinograd, conv2dBackwardFilterWinograd, useWinograd } from './winograd.js';
export { conv2dBackwardData, conv2dBackwardFilter, conv2dBackwardBias, transposedConvParams } from './conv2d_backward.js';
export { maxpool2d, maxpool2dBackward } from './maxpool2d.js';
export { sgd, relu, reluBackward, softmaxCrossEntropy, softmaxCrossEntropyBackward } from './elementwise.js';
export { broadcastBinary, sumToShape, sumToShapeAxis, type BinaryOp } from './broadcast.js';
export { batchNorm2d, batchNorm2dBackward } from './batchnorm.js';
export { avgpool2d, avgpool2dBackward, avgpoolDivisors, globalAvgPool2d, globalAvgPool2dBackward } from './avgpool2d.js';
export { softmaxAxis, softmaxAxisBackward } from './softmax.js';
