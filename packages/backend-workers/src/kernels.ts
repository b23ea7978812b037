/**
 * The workers backend's kernel table (model: tfjs-backend-cpu's register_all_kernels.ts): one
 * kernel per op, each in ops/<opName>.ts, a function of (runtime, ...the op's arguments) that
 * splits the op into tasks for the pool. The backend's capabilities are this table's keys.
 */
import type { KernelTable } from '@convkit/core';
import type { RangeKernelsOf } from './protocol.js';
import type { WorkersRuntime } from './runtime.js';
import type { TableKernelName } from './table.js';
import { gemm } from './ops/gemm.js';
import { im2col } from './ops/im2col.js';
import { col2im } from './ops/col2im.js';
import { conv2d } from './ops/conv2d.js';
import { conv2dBackward } from './ops/conv2dBackward.js';
import { maxpool2d } from './ops/maxpool2d.js';
import { maxpool2dBackward } from './ops/maxpool2dBackward.js';
import { sgd } from './ops/sgd.js';
import { relu } from './ops/relu.js';
import { reluBackward } from './ops/reluBackward.js';
import { softmaxCrossEntropy } from './ops/softmaxCrossEntropy.js';
import { softmaxCrossEntropyBackward } from './ops/softmaxCrossEntropyBackward.js';

export const workersKernels = {
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
} satisfies KernelTable<WorkersRuntime>;

// Compile-time: the worker table (table.ts) has every range kernel the ops of this table dispatch
// (an op added here without its worker kernel is a type error on this line).
const workerTableCovers: [RangeKernelsOf<keyof typeof workersKernels>] extends [TableKernelName] ? true : never = true;
void workerTableCovers;
