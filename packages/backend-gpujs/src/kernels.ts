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
} satisfies KernelTable<GpujsRuntime>;
