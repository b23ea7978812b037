/**
 * The gpujs backend's kernels by op name: one file per op in ./ops, each
 * `op(rt: GpujsRuntime, ...the op's arguments)`. The backend's capabilities are this table's keys.
 */
import type { KernelTable } from '@convkit/core';
import type { GpujsRuntime } from './runtime.js';
import { col2im } from './ops/col2im.js';
import { conv2d } from './ops/conv2d.js';
import { conv2dBackward } from './ops/conv2dBackward.js';
import { gemm } from './ops/gemm.js';
import { im2col } from './ops/im2col.js';
import { maxpool2d } from './ops/maxpool2d.js';
import { maxpool2dBackward } from './ops/maxpool2dBackward.js';
import { relu } from './ops/relu.js';
import { reluBackward } from './ops/reluBackward.js';
import { sgd } from './ops/sgd.js';
import { softmaxCrossEntropy } from './ops/softmaxCrossEntropy.js';
import { softmaxCrossEntropyBackward } from './ops/softmaxCrossEntropyBackward.js';
import { add } from './ops/add.js';
import { avgpool2d } from './ops/avgpool2d.js';
import { avgpool2dBackward } from './ops/avgpool2dBackward.js';
import { batchNorm2d } from './ops/batchNorm2d.js';
import { batchNorm2dBackward } from './ops/batchNorm2dBackward.js';
import { globalAvgPool2d } from './ops/globalAvgPool2d.js';
import { globalAvgPool2dBackward } from './ops/globalAvgPool2dBackward.js';
import { logSoftmax } from './ops/logSoftmax.js';
import { logSoftmaxBackward } from './ops/logSoftmaxBackward.js';
import { mul } from './ops/mul.js';
import { softmax } from './ops/softmax.js';
import { softmaxBackward } from './ops/softmaxBackward.js';
import { sub } from './ops/sub.js';
import { sumToShape } from './ops/sumToShape.js';

export const gpujsKernels = {
  gemm,
  im2col,
  col2im,
  conv2d,
  conv2dBackward,
  maxpool2d,
  maxpool2dBackward,
  sgd,
  relu,
  reluBackward,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  batchNorm2d,
  batchNorm2dBackward,
  add,
  sub,
  mul,
  sumToShape,
  globalAvgPool2d,
  globalAvgPool2dBackward,
  avgpool2d,
  avgpool2dBackward,
  softmax,
  softmaxBackward,
  logSoftmax,
  logSoftmaxBackward,
} satisfies KernelTable<GpujsRuntime>;
