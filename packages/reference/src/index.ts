export type {
  RefTensor,
  RefIndexTensor,
  TensorLike,
  PadMode,
  Padding,
  Pair,
  ConvOptions,
  Conv1dOptions,
  Im2colOptions,
  Col2imOptions,
  MaxPoolOptions,
  GemmOptions,
  SgdOptions,
} from './types.js';
export { refOutputSize, refPadIndex, refWindow, refPair, type RefAxis, type RefWindow } from './geometry.js';
export { refConv2d } from './conv2d.js';
export { refConv2dBackward } from './conv2dBackward.js';
export { refConv1d, refConv1dBackward } from './conv1d.js';
export { refIm2col, refCol2im } from './im2col.js';
export { refMaxpool2d, refMaxpool2dBackward } from './maxpool.js';
export { refGemm } from './gemm.js';
export { refSgd } from './sgd.js';
export { refRelu, refReluBackward } from './relu.js';
export { refSoftmaxCrossEntropy, refSoftmaxCrossEntropyBackward } from './softmax.js';
export { refDense, refDenseBackward } from './dense.js';
export { readMatrix, writeMatrix, type UwMatrix } from './matrix.js';
export { loadUwnet, findUwnetDir, resetUwnetCache } from './uwnet.js';
export { compare, describeMismatch, type Tolerance, type CompareResult, type Mismatch } from './compare.js';
export { mulberry32 } from './random.js';
