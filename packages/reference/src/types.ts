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
  ceilMode?: boolean;
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
