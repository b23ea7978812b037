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
  MaxPool1dOptions,
  AvgPoolOptions,
  AvgPool1dOptions,
  Padding1d,
  BatchNormOptions,
  BatchNormParams,
  BatchNormMomentumMode,
  ConvTransposeOptions,
  ConvTranspose1dOptions,
  GemmOptions,
  SgdOptions,
} from './types.js';
export { refOutputSize, refPadIndex, refWindow, refPair, type RefAxis, type RefWindow } from './geometry.js';
export { refConv2d } from './conv2d.js';
export { refConv2dBackward } from './conv2dBackward.js';
export { refConv1d, refConv1dBackward } from './conv1d.js';
export { refIm2col, refCol2im } from './im2col.js';
export { refMaxpool2d, refMaxpool2dBackward } from './maxpool.js';
export { refMaxpool1d, refMaxpool1dBackward } from './maxpool1d.js';
export { refAvgpool2d, refAvgpool2dBackward } from './avgpool2d.js';
export { refAvgpool1d, refAvgpool1dBackward } from './avgpool1d.js';
export { refGlobalAvgPool2d, refGlobalAvgPool2dBackward } from './globalAvgPool2d.js';
export { refGlobalMaxPool2d, refGlobalMaxPool2dBackward } from './globalMaxPool2d.js';
export { refBatchNorm2d, refBatchNorm2dBackward, refBatchStats } from './batchNorm2d.js';
export { refBroadcastShape, refReduceTo } from './broadcast.js';
export { refAdd, refAddBackward } from './add.js';
export { refSub, refSubBackward } from './sub.js';
export { refMul, refMulBackward } from './mul.js';
export { refConv2dTranspose, refConv2dTransposeBackward } from './conv2dTranspose.js';
export { refConv1dTranspose, refConv1dTransposeBackward } from './conv1dTranspose.js';
export { refSoftmax, refSoftmaxBackward } from './softmax.js';
export { refLogSoftmax, refLogSoftmaxBackward } from './logSoftmax.js';
export { refGemm } from './gemm.js';
export { refSgd } from './sgd.js';
export { refRelu, refReluBackward } from './relu.js';
export { refSoftmaxCrossEntropy, refSoftmaxCrossEntropyBackward } from './softmaxCrossEntropy.js';
export { refDense, refDenseBackward } from './dense.js';
export { readMatrix, writeMatrix, type UwMatrix } from './matrix.js';
export { loadUwnet, findUwnetDir, resetUwnetCache } from './uwnet.js';
export { compare, describeMismatch, type Tolerance, type CompareResult, type Mismatch } from './compare.js';
export { mulberry32 } from './random.js';
