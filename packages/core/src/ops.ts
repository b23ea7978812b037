/**
 * One record per op: the single list the rest of convkit derives from (the kernel interface's op
 * names, the conformance runner, the create-backend scaffold, the op tables in the docs). Model:
 * tfjs-core's `kernel_names.ts`.
 *
 * Two kinds:
 * - `kernel`: an op a backend implements, one kernel per op (`KernelSignatures` in backend.ts gives
 *   its exact TypeScript signature; a compile-time check below keeps the two lists equal).
 * - `composite`: a Context op built from kernels (conv1d runs conv2d, dense runs gemm); a backend
 *   supports it when it has every kernel in `kernels`.
 *
 * Adding an op: a record here, its signature in `KernelSignatures`, its Context method, one kernel
 * file per backend that supports it, a float64 reference and golden cases (CONTRIBUTING.md).
 */
import type { KernelSignatures } from './backend.js';

/** One tensor argument of an op. */
export interface OpTensorSpec {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  /** May be absent (null). */
  readonly optional?: boolean;
  /**
   * Passed inside the Context method's options object under this key rather than as a positional
   * argument (e.g. conv2d's bias: `ctx.conv2d(x, w, { bias })`).
   */
  readonly option?: string;
  /** Updated in place (sgd's w and v). */
  readonly inPlace?: boolean;
}

export interface OpRecord {
  readonly name: string;
  readonly kind: 'kernel' | 'composite';
  /** One line: what the op computes (the docs' op tables show it). */
  readonly summary: string;
  /** The kernels a backend needs for this op (a kernel op needs itself). */
  readonly kernels: readonly string[];
  /** Tensor arguments, in the Context method's order (option-carried ones last). */
  readonly inputs: readonly OpTensorSpec[];
  /** Non-tensor options of the Context method. */
  readonly attributes: readonly string[];
  /**
   * Output names. One output: the Context method returns the tensor itself; several: an object
   * with these keys. An in-place op has none.
   */
  readonly outputs: readonly string[];
}

const f32 = (name: string, extra: Partial<OpTensorSpec> = {}): OpTensorSpec => ({ name, dtype: 'float32', ...extra });
const i32 = (name: string, extra: Partial<OpTensorSpec> = {}): OpTensorSpec => ({ name, dtype: 'int32', ...extra });
const CONV_ATTRS = ['stride', 'padding', 'dilation', 'groups', 'padMode', 'flip'] as const;
const WINDOW_ATTRS = ['kernel', 'stride', 'padding', 'dilation', 'padMode'] as const;
const POOL_ATTRS = ['kernel', 'stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_ATTRS = ['kernel', 'stride', 'padding', 'dilation', 'ceilMode', 'countIncludePad'] as const;
const CONVT_ATTRS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'] as const;
const BN_ATTRS = ['training', 'eps', 'momentum', 'momentumMode'] as const;

function kernel(name: string, summary: string, inputs: OpTensorSpec[], attributes: readonly string[], outputs: string[]): OpRecord {
  return Object.freeze({ name, kind: 'kernel' as const, summary, kernels: Object.freeze([name]), inputs: Object.freeze(inputs), attributes: Object.freeze([...attributes]), outputs: Object.freeze(outputs) });
}

function composite(name: string, summary: string, kernels: string[], inputs: OpTensorSpec[], attributes: readonly string[], outputs: string[]): OpRecord {
  return Object.freeze({ name, kind: 'composite' as const, summary, kernels: Object.freeze(kernels), inputs: Object.freeze(inputs), attributes: Object.freeze([...attributes]), outputs: Object.freeze(outputs) });
}

/** The kernel ops, in the interface's order. */
export const KERNEL_OPS = Object.freeze({
  gemm: kernel('gemm', 'y = alpha * op(a) * op(b) + beta * c + bias', [f32('a'), f32('b'), f32('c', { optional: true, option: 'c' }), f32('bias', { optional: true, option: 'bias' })], ['transA', 'transB', 'alpha', 'beta'], ['y']),
  im2col: kernel('im2col', 'image patches to columns [N, C*kH*kW, outH*outW]', [f32('x')], WINDOW_ATTRS, ['y']),
  col2im: kernel('col2im', "columns back to an image, overlaps summed (im2col's adjoint)", [f32('cols')], [...WINDOW_ATTRS, 'inputShape'], ['y']),
  conv2d: kernel('conv2d', '2-D convolution (cross-correlation unless flip), groups, dilation, pad modes', [f32('x'), f32('w'), f32('bias', { optional: true, option: 'bias' })], CONV_ATTRS, ['y']),
  conv2dBackward: kernel('conv2dBackward', "conv2d's gradients dx, dw, db", [f32('x'), f32('w'), f32('dy')], [...CONV_ATTRS, 'wants'], ['dx', 'dw', 'db']),
  maxpool2d: kernel('maxpool2d', '2-D max pooling (dilation, ceil mode), with the argmax offsets', [f32('x')], POOL_ATTRS, ['y', 'indices']),
  maxpool2dBackward: kernel('maxpool2dBackward', "maxpool2d's dx from dy and the offsets", [f32('dy'), i32('indices')], [...POOL_ATTRS, 'inputShape'], ['dx']),
  sgd: kernel('sgd', 'in place: v = m*v + g + lambda*w; w -= lr*v', [f32('w', { inPlace: true }), f32('g'), f32('v', { inPlace: true })], ['lr', 'momentum', 'weightDecay'], []),
  relu: kernel('relu', 'y = max(x, 0)', [f32('x')], [], ['y']),
  reluBackward: kernel('reluBackward', 'dx = dy where x > 0, else 0', [f32('x'), f32('dy')], [], ['dx']),
  softmaxCrossEntropy: kernel('softmaxCrossEntropy', 'row softmax and mean cross-entropy against int32 labels', [f32('logits'), i32('labels')], [], ['loss', 'probs']),
  softmaxCrossEntropyBackward: kernel('softmaxCrossEntropyBackward', 'dlogits = (probs - onehot(labels)) / n', [f32('probs'), i32('labels')], [], ['dx']),
  batchNorm2d: kernel('batchNorm2d', 'batch norm over N, H, W per channel: batch statistics and running-statistics update (training) or running statistics', [f32('x'), f32('gamma', { optional: true, option: 'gamma' }), f32('beta', { optional: true, option: 'beta' }), f32('runningMean', { optional: true, option: 'runningMean' }), f32('runningVar', { optional: true, option: 'runningVar' })], BN_ATTRS, ['y', 'runningMean', 'runningVar']),
  batchNorm2dBackward: kernel('batchNorm2dBackward', "batchNorm2d's training-mode gradients dx, dgamma, dbeta", [f32('x'), f32('dy'), f32('gamma', { optional: true, option: 'gamma' })], ['eps'], ['dx', 'dgamma', 'dbeta']),
  add: kernel('add', 'y = a + b, numpy broadcasting', [f32('a'), f32('b')], [], ['y']),
  sub: kernel('sub', 'y = a - b, numpy broadcasting', [f32('a'), f32('b')], [], ['y']),
  mul: kernel('mul', 'y = a * b, numpy broadcasting', [f32('a'), f32('b')], [], ['y']),
  sumToShape: kernel('sumToShape', 'y = alpha * x summed over the axes broadcast to reach x from shape', [f32('x')], ['shape', 'alpha'], ['y']),
  globalAvgPool2d: kernel('globalAvgPool2d', 'mean over H x W: [N, C, H, W] -> [N, C, 1, 1]', [f32('x')], [], ['y']),
  globalAvgPool2dBackward: kernel('globalAvgPool2dBackward', "globalAvgPool2d's dx = dy / (H*W) everywhere", [f32('dy')], ['inputShape'], ['dx']),
  avgpool2d: kernel('avgpool2d', '2-D average pooling, ceil mode, count-include-pad', [f32('x')], AVG_ATTRS, ['y']),
  avgpool2dBackward: kernel('avgpool2dBackward', "avgpool2d's dx: dy / divisor spread over each window", [f32('dy')], [...AVG_ATTRS, 'inputShape'], ['dx']),
  softmax: kernel('softmax', 'softmax along any axis', [f32('x')], ['axis'], ['y']),
  softmaxBackward: kernel('softmaxBackward', "softmax's dx = y * (dy - sum(dy * y)) from its output y", [f32('y'), f32('dy')], ['axis'], ['dx']),
  logSoftmax: kernel('logSoftmax', 'log-softmax along any axis', [f32('x')], ['axis'], ['y']),
  logSoftmaxBackward: kernel('logSoftmaxBackward', "logSoftmax's dx = dy - exp(y) * sum(dy) from its output y", [f32('y'), f32('dy')], ['axis'], ['dx']),
});

/** Context ops built from kernels. */
export const COMPOSITE_OPS = Object.freeze({
  conv1d: composite('conv1d', '1-D convolution [N, C, L] (conv2d with H = 1)', ['conv2d'], [f32('x'), f32('w'), f32('bias', { optional: true, option: 'bias' })], CONV_ATTRS, ['y']),
  conv1dBackward: composite('conv1dBackward', "conv1d's gradients dx, dw, db", ['conv2dBackward'], [f32('x'), f32('w'), f32('dy')], [...CONV_ATTRS, 'wants'], ['dx', 'dw', 'db']),
  dense: composite('dense', 'y = x * w^T + b (w is [out, in])', ['gemm'], [f32('x'), f32('w'), f32('b', { optional: true })], [], ['y']),
  denseBackward: composite('denseBackward', "dense's gradients dx, dw, db", ['gemm'], [f32('x'), f32('w'), f32('dy')], [], ['dx', 'dw', 'db']),
  addBackward: composite('addBackward', "add's gradients: dy summed to a's and b's shapes", ['sumToShape'], [f32('dy')], ['aShape', 'bShape'], ['da', 'db']),
  subBackward: composite('subBackward', "sub's gradients: dy and -dy summed to a's and b's shapes", ['sumToShape'], [f32('dy')], ['aShape', 'bShape'], ['da', 'db']),
  conv2dTranspose: composite('conv2dTranspose', 'transposed 2-D convolution (ONNX ConvTranspose: w [C, K/groups, kH, kW], output padding, dilation, groups), the data gradient of conv2d', ['conv2dBackward', 'add'], [f32('x'), f32('w'), f32('bias', { optional: true, option: 'bias' })], CONVT_ATTRS, ['y']),
  conv2dTransposeBackward: composite('conv2dTransposeBackward', "conv2dTranspose's gradients dx (conv2d of dy), dw, db", ['conv2d', 'conv2dBackward', 'sumToShape'], [f32('x'), f32('w'), f32('dy')], [...CONVT_ATTRS, 'wants'], ['dx', 'dw', 'db']),
  conv1dTranspose: composite('conv1dTranspose', 'transposed 1-D convolution [N, C, L] (conv2dTranspose with H = 1)', ['conv2dBackward', 'add'], [f32('x'), f32('w'), f32('bias', { optional: true, option: 'bias' })], CONVT_ATTRS, ['y']),
  conv1dTransposeBackward: composite('conv1dTransposeBackward', "conv1dTranspose's gradients dx, dw, db", ['conv2d', 'conv2dBackward', 'sumToShape'], [f32('x'), f32('w'), f32('dy')], [...CONVT_ATTRS, 'wants'], ['dx', 'dw', 'db']),
  maxpool1d: composite('maxpool1d', '1-D max pooling [N, C, L] with the argmax offsets (maxpool2d with H = 1)', ['maxpool2d'], [f32('x')], POOL_ATTRS, ['y', 'indices']),
  maxpool1dBackward: composite('maxpool1dBackward', "maxpool1d's dx from dy and the offsets", ['maxpool2dBackward'], [f32('dy'), i32('indices')], [...POOL_ATTRS, 'inputShape'], ['dx']),
  avgpool1d: composite('avgpool1d', '1-D average pooling [N, C, L] (avgpool2d with H = 1)', ['avgpool2d'], [f32('x')], AVG_ATTRS, ['y']),
  avgpool1dBackward: composite('avgpool1dBackward', "avgpool1d's dx", ['avgpool2dBackward'], [f32('dy')], [...AVG_ATTRS, 'inputShape'], ['dx']),
  globalMaxPool2d: composite('globalMaxPool2d', 'max over H x W with the argmax offsets: [N, C, H, W] -> [N, C, 1, 1] (maxpool2d, the plane as window)', ['maxpool2d'], [f32('x')], [], ['y', 'indices']),
  globalMaxPool2dBackward: composite('globalMaxPool2dBackward', "globalMaxPool2d's dx from dy and the offsets", ['maxpool2dBackward'], [f32('dy'), i32('indices')], ['inputShape'], ['dx']),
  mulBackward: composite('mulBackward', "mul's gradients: dy*b and dy*a summed to a's and b's shapes", ['mul', 'sumToShape'], [f32('a'), f32('b'), f32('dy')], [], ['da', 'db']),
});

/** Every op record by name: kernels first, then composites. */
export const OPS: Readonly<Record<string, OpRecord>> = Object.freeze({ ...KERNEL_OPS, ...COMPOSITE_OPS });

/** A kernel op's name. */
export type OpName = keyof typeof KERNEL_OPS;
/** Any op's name, kernel or composite. */
export type AnyOpName = OpName | keyof typeof COMPOSITE_OPS;

/** Every kernel op, in the interface's order. */
export const OP_NAMES: readonly OpName[] = Object.freeze(Object.keys(KERNEL_OPS) as OpName[]);

/** The record of op `name`, or undefined for a name that is no op. */
export function opRecord(name: string): OpRecord | undefined {
  return Object.prototype.hasOwnProperty.call(OPS, name) ? OPS[name] : undefined;
}

/** Whether `name` is a kernel op. */
export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(KERNEL_OPS, name);
}

// Compile-time: the records and the kernel signatures name the same ops (an op added to one list
// and not the other is a type error here).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameOps: Same<OpName, keyof KernelSignatures> = true;
void sameOps;
