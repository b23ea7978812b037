import type { DType } from './tensor.js';
import type { PadMode, Window2d } from './geometry.js';

/** Opaque handle a backend gives for one buffer of tensor data. */
export type DataId = object;

import type { OpName } from './ops.js';
export { OP_NAMES, type OpName } from './ops.js';

/** C = alpha * op(A) * op(B) + beta * C0 + bias (bias of length n added to every row). */
export interface GemmParams {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
}

/** im2col / col2im over a batch of N images of C channels. */
export interface Im2colParams extends Window2d {
  N: number;
  C: number;
  padMode: PadMode;
}

export interface Conv2dParams extends Window2d {
  N: number;
  C: number;
  K: number;
  groups: number;
  padMode: PadMode;
  /** true convolution: the kernel flipped in both spatial axes. */
  flip: boolean;
}

export interface Conv2dBackwardWants {
  dx: boolean;
  dw: boolean;
  db: boolean;
}

export interface Conv2dBackwardResult {
  dx?: DataId;
  dw?: DataId;
  db?: DataId;
}

/** Max pooling. Positions outside the image are skipped, never padded with a value. */
export interface MaxPool2dParams extends Window2d {
  N: number;
  C: number;
}

export interface SgdParams {
  size: number;
  lr: number;
  momentum: number;
  weightDecay: number;
}

export interface SoftmaxXentParams {
  /** batch rows */
  n: number;
  /** classes */
  classes: number;
}

/** Batch normalisation over x [N, C, H, W] (CONVENTIONS.md, "Batch norm"); statistics per channel over N, H, W. */
export interface BatchNorm2dParams {
  N: number;
  C: number;
  H: number;
  W: number;
  /** batch statistics (and the running-statistics update) instead of the running statistics */
  training: boolean;
  eps: number;
  momentum: number;
  /**
   * 'pytorch': running = (1 - momentum)*running + momentum*batch, unbiased variance (/(M - 1));
   * 'onnx': running = momentum*running + (1 - momentum)*batch, biased variance (/M).
   */
  momentumMode: 'pytorch' | 'onnx';
}

export interface BatchNorm2dResult {
  y: DataId;
  /** The updated running statistics (training with running statistics given), else null. */
  runningMean: DataId | null;
  runningVar: DataId | null;
}

export interface BatchNorm2dBackwardParams {
  N: number;
  C: number;
  H: number;
  W: number;
  eps: number;
}

/**
 * Elementwise binary op with numpy broadcasting: `shape` is the result's shape, `aStrides` and
 * `bStrides` the operands' element strides along each result axis (0 along broadcast axes).
 */
export interface BroadcastParams {
  shape: readonly number[];
  aStrides: readonly number[];
  bStrides: readonly number[];
  /** elements of the result */
  size: number;
}

/**
 * y = alpha * (x summed over the axes it has beyond y's shape, or where y has size 1): the
 * gradient of a broadcast operand. `shape` is x's shape, `strides` y's element strides along each
 * axis of x (0 along the reduced axes).
 */
export interface SumToShapeParams {
  shape: readonly number[];
  strides: readonly number[];
  /** elements of x */
  size: number;
  /** elements of y */
  outSize: number;
  alpha: number;
}

/** Average pooling (CONVENTIONS.md, "Average pooling"). */
export interface AvgPool2dParams extends Window2d {
  N: number;
  C: number;
  /** the divisor counts window positions inside [-padTop, inH + padBottom) x [-padLeft, inW + padRight); else inside the input */
  countIncludePad: boolean;
}

/** Global pooling of x [N, C, H, W] over H x W. */
export interface GlobalPool2dParams {
  N: number;
  C: number;
  H: number;
  W: number;
}

/** A reduction along one axis: the tensor viewed as [outer, len, inner], reduced over len. */
export interface AxisParams {
  outer: number;
  len: number;
  inner: number;
}

export type MaybePromise<T> = T | Promise<T>;

/** What a backend reports of its memory; `tensors` is data ids alive in the backend. */
export interface BackendMemory {
  dataIds: number;
  bytes?: number;
  textures?: number;
  buffers?: number;
  [key: string]: number | undefined;
}

/** Tolerance a backend claims against the float64 reference (CONVENTIONS.md, "Tolerances"). */
export interface Precision {
  atol: number;
  rtol: number;
}

/**
 * The kernels of the interface, one per op (ops.ts has the op records). Core validates every
 * argument and computes all geometry before calling one; a kernel may assume valid, live,
 * same-backend inputs and allocates its outputs fresh (except `sgd`, which updates w and v in
 * place). Kernels get data ids and normalized parameters only; output shapes are core's concern.
 */
export interface KernelSignatures {
  gemm(a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): MaybePromise<DataId>;
  im2col(x: DataId, p: Im2colParams): MaybePromise<DataId>;
  col2im(cols: DataId, p: Im2colParams): MaybePromise<DataId>;
  conv2d(x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): MaybePromise<DataId>;
  conv2dBackward(
    x: DataId,
    w: DataId,
    dy: DataId,
    p: Conv2dParams,
    wants: Conv2dBackwardWants,
  ): MaybePromise<Conv2dBackwardResult>;
  maxpool2d(x: DataId, p: MaxPool2dParams): MaybePromise<{ y: DataId; indices: DataId }>;
  maxpool2dBackward(dy: DataId, indices: DataId, p: MaxPool2dParams): MaybePromise<DataId>;
  /** In place: v = m*v + g + lambda*w; w = w - lr*v. */
  sgd(w: DataId, g: DataId, v: DataId, p: SgdParams): MaybePromise<void>;
  relu(x: DataId, size: number): MaybePromise<DataId>;
  /** dx = dy where x > 0, else 0. */
  reluBackward(x: DataId, dy: DataId, size: number): MaybePromise<DataId>;
  /** Row softmax of logits [n, classes] and the mean cross-entropy against int32 labels. */
  softmaxCrossEntropy(
    logits: DataId,
    labels: DataId,
    p: SoftmaxXentParams,
  ): MaybePromise<{ loss: DataId; probs: DataId }>;
  /** dlogits = (probs - onehot(labels)) / n. */
  softmaxCrossEntropyBackward(probs: DataId, labels: DataId, p: SoftmaxXentParams): MaybePromise<DataId>;
  /** Batch norm; gamma/beta null = affine off; running statistics null = none (training only). */
  batchNorm2d(
    x: DataId,
    gamma: DataId | null,
    beta: DataId | null,
    runningMean: DataId | null,
    runningVar: DataId | null,
    p: BatchNorm2dParams,
  ): MaybePromise<BatchNorm2dResult>;
  /** Training-mode gradients from the batch statistics of x: dx, dgamma, dbeta. */
  batchNorm2dBackward(x: DataId, dy: DataId, gamma: DataId | null, p: BatchNorm2dBackwardParams): MaybePromise<{ dx: DataId; dgamma: DataId; dbeta: DataId }>;
  add(a: DataId, b: DataId, p: BroadcastParams): MaybePromise<DataId>;
  sub(a: DataId, b: DataId, p: BroadcastParams): MaybePromise<DataId>;
  mul(a: DataId, b: DataId, p: BroadcastParams): MaybePromise<DataId>;
  /** The broadcast gradient: alpha * x summed down to the target shape. */
  sumToShape(x: DataId, p: SumToShapeParams): MaybePromise<DataId>;
  globalAvgPool2d(x: DataId, p: GlobalPool2dParams): MaybePromise<DataId>;
  globalAvgPool2dBackward(dy: DataId, p: GlobalPool2dParams): MaybePromise<DataId>;
  avgpool2d(x: DataId, p: AvgPool2dParams): MaybePromise<DataId>;
  avgpool2dBackward(dy: DataId, p: AvgPool2dParams): MaybePromise<DataId>;
  softmax(x: DataId, p: AxisParams): MaybePromise<DataId>;
  /** dx = y * (dy - sum(dy * y)) along the axis, from softmax's output y. */
  softmaxBackward(y: DataId, dy: DataId, p: AxisParams): MaybePromise<DataId>;
  logSoftmax(x: DataId, p: AxisParams): MaybePromise<DataId>;
  /** dx = dy - exp(y) * sum(dy) along the axis, from logSoftmax's output y. */
  logSoftmaxBackward(y: DataId, dy: DataId, p: AxisParams): MaybePromise<DataId>;
}

/**
 * The contract between core and a backend. Core validates every argument and computes all
 * geometry before calling a kernel; kernels may assume valid, live, same-backend inputs and
 * must allocate their outputs fresh (except `sgd`, which updates w and v in place).
 *
 * Kernels get data ids and normalized parameters only; output shapes are core's concern.
 */
export interface KernelBackend extends Partial<KernelSignatures> {
  /** Registry name, e.g. 'js', 'workers', 'gpujs'. */
  readonly name: string;
  /**
   * The engine inside the backend that executed (or will execute) kernels: e.g. 'js',
   * 'worker_threads+sab', 'headlessgl', 'webgl2', 'webgpu', 'webasm'. Must reflect what really
   * ran, never what was requested.
   */
  readonly engine: string;
  readonly capabilities: ReadonlySet<OpName>;
  readonly precision: Precision;

  write(values: Float32Array | Int32Array, dtype: DType): DataId;
  /** Allocates size elements set to zero. */
  zeros(size: number, dtype: DType): DataId;
  read(id: DataId): Promise<Float32Array | Int32Array>;
  readSync?(id: DataId): Float32Array | Int32Array;
  disposeData(id: DataId): void;
  memory(): BackendMemory;
  /** Frees everything the backend holds (workers, contexts). */
  dispose(): MaybePromise<void>;
}

/** The result of a backend's availability probe. */
export interface Probe {
  available: boolean;
  /** Why not, or which engine it would use. */
  reason?: string;
  /** Overrides the descriptor's priority for this platform (e.g. lower for a software renderer). */
  priority?: number;
}

/**
 * Backend options by backend name, for `createContext({ backend, backendOptions })` and
 * `Registry.create`. Empty in core; each backend package adds its own entry, so that TypeScript
 * checks the options of a backend named by a literal:
 *
 * ```ts
 * declare module '@convkit/core' {
 *   interface BackendOptionsMap { mybackend: MyBackendOptions }
 * }
 * ```
 *
 * A name not in the map (any string) takes `unknown` options, checked at run time only.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BackendOptionsMap {}

/** A backend name: one of BackendOptionsMap's keys, or any other registered name. */
export type BackendName = keyof BackendOptionsMap | (string & {});

/** The options type of backend `B` (unknown for a name no package declared). */
export type BackendOptionsOf<B> = B extends keyof BackendOptionsMap ? BackendOptionsMap[B] : unknown;

/** The option keys of an options type (any string where the type is unknown). */
export type OptionKeys<Options> = unknown extends Options ? string : keyof Options & string;

/** How a backend package makes itself known to a Registry. */
export interface BackendDescriptor<Options = unknown> {
  name: string;
  /**
   * Higher wins when picking automatically (a probe may return another for its platform). The
   * project's backends: gpujs 30 (5 on a software renderer), wasm 25 (5 on its js fallback without
   * wasm SIMD), workers 20 (its probe: 27 with shared memory, wasm SIMD kernels and more than one
   * core; 5 without SharedArrayBuffer), js 10; a scaffolded backend starts at 1.
   */
  priority: number;
  /**
   * Every key `create(options)` accepts (`[]` for a backend without options). Registry.create
   * refuses any other key with an UnknownOptionError that names the nearest one, so a typo such
   * as `{ mdoe: 'webasm' }` never runs with the defaults. A descriptor without the list gets its
   * options unchecked (kept so that older third-party descriptors still load).
   */
  optionKeys?: readonly OptionKeys<Options>[];
  /**
   * Whether the backend starts here. The registry passes the options `create` will get, so a probe
   * can start what create would start (e.g. a worker script at a bundler-given URL).
   */
  probe(options?: Options): MaybePromise<Probe | boolean>;
  create(options?: Options): MaybePromise<KernelBackend>;
}
