/**
 * Types of the reference. They mirror @convkit/core's user-level option objects structurally
 * (the reference does not depend on core, so its geometry stays independent).
 */

/** A float64 result tensor: row-major data and its shape. */
export interface RefTensor {
  data: Float64Array;
  shape: number[];
}

/** Integer tensor (maxpool indices). */
export interface RefIndexTensor {
  data: Int32Array;
  shape: number[];
}

/** Any input: data may be a Float32Array, Float64Array, Int32Array or number[]. */
export interface TensorLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export type PadMode = 'zeros' | 'replicate' | 'circular' | 'reflect';

/** 'same' (course centring), 'valid', n (all sides) or explicit [top, bottom, left, right]. */
export type Padding = 'same' | 'valid' | number | readonly [number, number, number, number];

export type Pair = number | readonly [number, number];

export interface ConvOptions {
  /** default 1 */
  stride?: Pair;
  /** default 'same' */
  padding?: Padding;
  /** default 1 */
  dilation?: Pair;
  /** default 1 */
  groups?: number;
  /** default 'zeros' */
  padMode?: PadMode;
  /** true convolution (kernel flipped in both axes); default false */
  flip?: boolean;
}

export interface Conv1dOptions {
  stride?: number;
  /** 'same', 'valid', n (both sides) or [left, right]; default 'same' */
  padding?: 'same' | 'valid' | number | readonly [number, number];
  dilation?: number;
  groups?: number;
  padMode?: PadMode;
  flip?: boolean;
}

export interface Im2colOptions {
  kernel: Pair;
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  padMode?: PadMode;
}

export interface Col2imOptions extends Im2colOptions {
  /** [N, C, H, W] of the image the columns came from */
  inputShape: readonly [number, number, number, number] | readonly number[];
}

export interface MaxPoolOptions {
  kernel: Pair;
  /** default: the kernel */
  stride?: Pair;
  /** default 'same' */
  padding?: Padding;
  /** default 1: window tap k of output o reads o*s + k*d - before */
  dilation?: Pair;
  ceilMode?: boolean;
}

/** 1-D padding: 'same', 'valid', n (both sides) or [left, right]. */
export type Padding1d = 'same' | 'valid' | number | readonly [number, number];

export interface MaxPool1dOptions {
  kernel: number;
  /** default: the kernel */
  stride?: number;
  /** default 'same' */
  padding?: Padding1d;
  /** default 1 */
  dilation?: number;
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  kernel: Pair;
  /** default: the kernel */
  stride?: Pair;
  /** default 'same' */
  padding?: Padding;
  /** default 1 */
  dilation?: Pair;
  /** default false */
  ceilMode?: boolean;
  /** divisor counts the explicit/'same' padding too (never the ceil-mode overhang); default false (ONNX's default) */
  countIncludePad?: boolean;
}

export interface AvgPool1dOptions {
  kernel: number;
  /** default: the kernel */
  stride?: number;
  /** default 'same' */
  padding?: Padding1d;
  /** default 1 */
  dilation?: number;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/**
 * Running-statistics update rule of batch norm in training mode.
 * - 'pytorch' (default): running = (1 - momentum)*running + momentum*batch, running_var from the
 *   UNBIASED batch variance (divide by M - 1); momentum default 0.1.
 * - 'onnx': running = momentum*running + (1 - momentum)*batch, running_var from the BIASED batch
 *   variance (ONNX BatchNormalization-15 training outputs); momentum default 0.9.
 */
export type BatchNormMomentumMode = 'pytorch' | 'onnx';

export interface BatchNormOptions {
  /** true: batch statistics (and running-statistics update); false (default): running statistics */
  training?: boolean;
  /** default 1e-5 */
  eps?: number;
  /** default 0.1 ('pytorch') or 0.9 ('onnx') */
  momentum?: number;
  /** default 'pytorch' */
  momentumMode?: BatchNormMomentumMode;
}

export interface BatchNormParams {
  /** [C] scale; null/absent = 1 (affine off) */
  gamma?: TensorLike | null;
  /** [C] shift; null/absent = 0 (affine off) */
  beta?: TensorLike | null;
  /** [C]; required for inference, updated (as a NEW array) in training when given */
  runningMean?: TensorLike | null;
  /** [C]; required for inference, updated (as a NEW array) in training when given */
  runningVar?: TensorLike | null;
}

export interface ConvTransposeOptions {
  /** default 1 */
  stride?: Pair;
  /**
   * default 'same' (as every convkit conv and pool op; ONNX's default is pads 0 = 'valid'):
   * the output is in*stride, the adjoint of conv2d 'same' on an image of that size
   * (outputPadding must be 0). 'valid' = no padding; n or [top, bottom, left, right] crop the
   * output as ONNX `pads`.
   */
  padding?: Padding;
  /** extra rows/columns at the bottom/right, 0 <= outputPadding < max(stride, dilation); default 0 */
  outputPadding?: Pair;
  /** default 1 */
  dilation?: Pair;
  /** default 1 */
  groups?: number;
}

export interface ConvTranspose1dOptions {
  stride?: number;
  /** default 'same' (out = in*stride); 'valid', n (both sides) or [left, right] */
  padding?: Padding1d;
  outputPadding?: number;
  dilation?: number;
  groups?: number;
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** default 1 */
  alpha?: number;
  /** default 0 */
  beta?: number;
  /** [m, n], scaled by beta and added */
  c?: TensorLike | null;
  /** [n], added to every row */
  bias?: TensorLike | null;
}

export interface SgdOptions {
  lr: number;
  /** default 0 */
  momentum?: number;
  /** default 0 */
  weightDecay?: number;
}
