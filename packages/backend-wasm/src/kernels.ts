/**
 * The wasm backend's kernel table: every op of the interface, one file per op in src/ops/. The
 * heavy ops (gemm, conv2d and its backward, maxpool2d and its backward, im2col and col2im with zero
 * padding) and batchNorm2d (+ backward), add/sub/mul, avgpool2d, globalAvgPool2d, softmax and
 * logSoftmax (+ backward) run the WebAssembly SIMD kernels; sgd, relu, the softmax-cross-entropy
 * pair, the broadcast gradient sumToShape, the pooling backward passes (and im2col/col2im with
 * other pad modes) run the js raw kernels on views of the same wasm memory, so the choice is each
 * kernel's own. The backend's capabilities are this table's keys.
 */
import type { KernelTable } from '@convkit/core';
import type { WasmRuntime } from './runtime.js';
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
import { batchNorm2d } from './ops/batchNorm2d.js';
import { batchNorm2dBackward } from './ops/batchNorm2dBackward.js';
import { add } from './ops/add.js';
import { sub } from './ops/sub.js';
import { mul } from './ops/mul.js';
import { sumToShape } from './ops/sumToShape.js';
import { globalAvgPool2d } from './ops/globalAvgPool2d.js';
import { globalAvgPool2dBackward } from './ops/globalAvgPool2dBackward.js';
import { avgpool2d } from './ops/avgpool2d.js';
import { avgpool2dBackward } from './ops/avgpool2dBackward.js';
import { softmax } from './ops/softmax.js';
import { softmaxBackward } from './ops/softmaxBackward.js';
import { logSoftmax } from './ops/logSoftmax.js';
import { logSoftmaxBackward } from './ops/logSoftmaxBackward.js';

export const wasmKernels = {
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
} satisfies KernelTable<WasmRuntime>;
