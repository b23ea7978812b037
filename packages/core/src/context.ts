import {
  BackendExecutionError,
  ConvkitError,
  DisposedContextError,
  NotImplementedError,
  ValidationError,
  type ShapeMap,
} from './errors.js';
import { Tensor, sizeOf, MAX_ELEMENTS, type DType, type TensorTracker } from './tensor.js';
import type {
  AvgPool2dParams,
  AxisParams,
  BatchNorm2dParams,
  BroadcastParams,
  GlobalPool2dParams,
  Conv2dParams,
  DataId,
  GemmParams,
  Im2colParams,
  KernelBackend,
  MaxPool2dParams,
  OpName,
  BackendMemory,
  BackendName,
  BackendOptionsOf,
} from './backend.js';
import { COMPOSITE_OPS } from './ops.js';
import { registry as defaultRegistry, type BackendPreference, type Registry, type Selection } from './registry.js';
import { axisSplit, broadcastShape, broadcastStrides, type PadMode, type Padding, type Window2d } from './geometry.js';
import {
  checkAxis,
  checkBroadcast,
  checkShapeList,
  checkFinite,
  checkLabels,
  checkOptions,
  checkPoolIndices,
  checkPair,
  formatValue,
  checkOutputSize,
  checkPadMode,
  checkPositiveInt,
  checkShapeEq,
  checkTensor,
  shapesOf,
  windowGeometry,
} from './validate.js';

type Pair = number | readonly [number, number];

export interface ConvOptions {
  /** default 1 */
  stride?: Pair;
  /** default 'same' (the course's centring; see CONVENTIONS.md) */
  padding?: Padding;
  /** default 1 */
  dilation?: Pair;
  /** default 1; C and K must both divide by it. groups = C is depthwise. */
  groups?: number;
  /** value of padded positions: default 'zeros' */
  padMode?: PadMode;
  /** true convolution (kernel flipped in both axes) instead of cross-correlation; default false */
  flip?: boolean;
}

export interface Conv2dOptions extends ConvOptions {
  /** one value per output channel, shape [K] */
  bias?: Tensor | null;
}

export interface Conv2dBackwardOptions extends ConvOptions {
  /** which gradients to compute; default all three */
  wants?: Partial<{ dx: boolean; dw: boolean; db: boolean }>;
}

export interface Conv1dOptions {
  stride?: number;
  /** 'same', 'valid', n (both sides) or [left, right] */
  padding?: 'same' | 'valid' | number | readonly [number, number];
  dilation?: number;
  groups?: number;
  padMode?: PadMode;
  flip?: boolean;
  bias?: Tensor | null;
}

/** Transposed convolution (ONNX ConvTranspose), w [C, K/groups, kH, kW]. */
export interface ConvTransposeOptions {
  /** default 1 */
  stride?: Pair;
  /**
   * default 'same' (as every convkit conv and pool; ONNX's default is pads 0 = 'valid'): the
   * output is in*stride, the adjoint of conv2d 'same' on an image of that size (outputPadding
   * must be 0). 'valid' = no padding; n or [top, bottom, left, right] crop the output as ONNX `pads`.
   */
  padding?: Padding;
  /** extra rows/columns at the bottom/right, 0 <= outputPadding < max(stride, dilation); default 0 */
  outputPadding?: Pair;
  /** default 1 */
  dilation?: Pair;
  /** default 1; C must divide by it; K = groups * w.shape[1] */
  groups?: number;
}

export interface Conv2dTransposeOptions extends ConvTransposeOptions {
  /** one value per output channel, shape [K] */
  bias?: Tensor | null;
}

export interface Conv2dTransposeBackwardOptions extends ConvTransposeOptions {
  /** which gradients to compute; default all three */
  wants?: Partial<{ dx: boolean; dw: boolean; db: boolean }>;
}

export interface Conv1dTransposeOptions {
  stride?: number;
  /** default 'same' (out = L*stride); 'valid', n (both sides) or [left, right] */
  padding?: 'same' | 'valid' | number | readonly [number, number];
  outputPadding?: number;
  dilation?: number;
  groups?: number;
  bias?: Tensor | null;
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
  inputShape: readonly [number, number, number, number];
}

export interface MaxPoolOptions {
  kernel: Pair;
  /** default: the kernel size */
  stride?: Pair;
  /** default 'same' (the course's centring). Outside positions are skipped, never padded. */
  padding?: Padding;
  /** default 1 (ONNX MaxPool dilations): window tap k of output o reads input o*stride + k*dilation - padBefore */
  dilation?: Pair;
  /** ceil instead of floor for the output size; 'valid' or explicit padding only */
  ceilMode?: boolean;
}

export interface MaxPoolBackwardOptions extends MaxPoolOptions {
  /** [N, C, H, W] of the pooled input */
  inputShape: readonly [number, number, number, number];
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** default 1 */
  alpha?: number;
  /** default 0; needs c */
  beta?: number;
  /** [m, n], scaled by beta and added */
  c?: Tensor | null;
  /** [n], added to every row */
  bias?: Tensor | null;
}

export interface SgdOptions {
  lr: number;
  /** default 0 */
  momentum?: number;
  /** default 0 (use 0 for biases) */
  weightDecay?: number;
}

export interface BatchNorm2dOptions {
  /** scale per channel, [C]; absent or null = affine off (1) */
  gamma?: Tensor | null;
  /** shift per channel, [C]; absent or null = affine off (0) */
  beta?: Tensor | null;
  /** [C]; needed in inference, optional in training (then updated into the returned runningMean) */
  runningMean?: Tensor | null;
  /** [C]; goes with runningMean */
  runningVar?: Tensor | null;
  /** batch statistics and the running-statistics update (default false: the running statistics) */
  training?: boolean;
  /** default 1e-5 (PyTorch and ONNX) */
  eps?: number;
  /** in [0, 1]; default 0.1 for 'pytorch', 0.9 for 'onnx' (the same weighting) */
  momentum?: number;
  /**
   * 'pytorch' (default, CONVENTIONS.md): running = (1 - m)*running + m*batch, unbiased batch
   * variance; 'onnx' (BatchNormalization-15 training outputs): running = m*running + (1 - m)*batch,
   * biased batch variance.
   */
  momentumMode?: 'pytorch' | 'onnx';
}

export interface BatchNorm2dBackwardOptions {
  /** [C]; absent or null = affine off (gamma 1) */
  gamma?: Tensor | null;
  /** default 1e-5 */
  eps?: number;
}

export interface SumToShapeOptions {
  /** the target shape: x's shape must be its broadcast (numpy rules) */
  shape: readonly number[];
  /** factor on the sums; default 1 */
  alpha?: number;
}

export interface BroadcastBackwardOptions {
  /** shape of the op's first operand */
  aShape: readonly number[];
  /** shape of the op's second operand */
  bShape: readonly number[];
}

export interface AvgPoolOptions {
  kernel: Pair;
  /** default: the kernel size */
  stride?: Pair;
  /** default 'same' (the course's centring) */
  padding?: Padding;
  /** default 1 */
  dilation?: Pair;
  /** ceil instead of floor for the output size; 'valid' or explicit padding only */
  ceilMode?: boolean;
  /** the divisor counts padded positions (never the ceil-mode overhang); default false (ONNX) */
  countIncludePad?: boolean;
}

export interface AvgPoolBackwardOptions extends AvgPoolOptions {
  /** [N, C, H, W] of the pooled input */
  inputShape: readonly [number, number, number, number];
}

/** 1-D padding: 'same', 'valid', n (both sides) or [left, right]. */
export type Padding1d = 'same' | 'valid' | number | readonly [number, number];

export interface MaxPool1dOptions {
  kernel: number;
  /** default: the kernel size */
  stride?: number;
  /** default 'same'. Outside positions are skipped, never padded. */
  padding?: Padding1d;
  /** default 1 */
  dilation?: number;
  /** ceil instead of floor for the output size; 'valid' or explicit padding only */
  ceilMode?: boolean;
}

export interface MaxPool1dBackwardOptions extends MaxPool1dOptions {
  /** [N, C, L] of the pooled input */
  inputShape: readonly [number, number, number];
}

export interface AvgPool1dOptions extends MaxPool1dOptions {
  /** the divisor counts padded positions (never the ceil-mode overhang); default false (ONNX) */
  countIncludePad?: boolean;
}

export interface AvgPool1dBackwardOptions extends AvgPool1dOptions {
  /** [N, C, L] of the pooled input */
  inputShape: readonly [number, number, number];
}

export interface GlobalPoolBackwardOptions {
  /** [N, C, H, W] of the pooled input */
  inputShape: readonly [number, number, number, number];
}

export interface SoftmaxOptions {
  /** the axis to normalize along; negative counts from the end; default -1 */
  axis?: number;
}

/** The op that ran last: which backend, and which engine inside it. */
export interface RunRecord {
  op: string;
  backend: string;
  engine: string;
}

export interface ContextOptions<B extends BackendName = BackendName> {
  /**
   * 'auto' (default: the available backend with the highest priority), a backend name, or an
   * ordered preference such as `['gpujs', 'workers', 'wasm', 'js']` (entries may be
   * `{ name, options }`): the first that probes available and is created without error.
   * `ctx.selection` says what was tried, skipped and why.
   */
  backend?: 'auto' | B | readonly BackendPreference[];
  registry?: Registry;
  /**
   * Passed to the backend's create(); typed per backend name (BackendOptionsMap). Keys the backend
   * does not declare are refused. With 'auto' or a list they must suit every candidate (give
   * per-backend options as `{ name, options }` list entries).
   */
  backendOptions?: BackendOptionsOf<B>;
}

/** Every key of an options type, once: a missing or extra key is a compile error. */
const keysOf = <T>(o: Record<keyof T, true>): readonly string[] => Object.freeze(Object.keys(o));

const CONV_KEYS = { stride: true, padding: true, dilation: true, groups: true, padMode: true, flip: true } as const;
const CONV2D_KEYS = keysOf<Conv2dOptions>({ ...CONV_KEYS, bias: true });
const CONV2D_BACKWARD_KEYS = keysOf<Conv2dBackwardOptions>({ ...CONV_KEYS, wants: true });
const WANTS_KEYS = keysOf<NonNullable<Conv2dBackwardOptions['wants']>>({ dx: true, dw: true, db: true });
const CONV1D_KEYS = keysOf<Conv1dOptions>({ ...CONV_KEYS, bias: true });
const CONV1D_BACKWARD_KEYS = keysOf<Conv1dOptions & { wants?: unknown }>({ ...CONV_KEYS, bias: true, wants: true });
const CONVT_KEYS = { stride: true, padding: true, outputPadding: true, dilation: true, groups: true } as const;
const CONV2DT_KEYS = keysOf<Conv2dTransposeOptions>({ ...CONVT_KEYS, bias: true });
const CONV2DT_BACKWARD_KEYS = keysOf<Conv2dTransposeBackwardOptions>({ ...CONVT_KEYS, wants: true });
const CONV1DT_KEYS = keysOf<Conv1dTransposeOptions>({ ...CONVT_KEYS, bias: true });
const CONV1DT_BACKWARD_KEYS = keysOf<Conv1dTransposeOptions & { wants?: unknown }>({ ...CONVT_KEYS, bias: true, wants: true });
const IM2COL_KEYS = keysOf<Im2colOptions>({ kernel: true, stride: true, padding: true, dilation: true, padMode: true });
const COL2IM_KEYS = keysOf<Col2imOptions>({ kernel: true, stride: true, padding: true, dilation: true, padMode: true, inputShape: true });
const POOL_KEYS = keysOf<MaxPoolOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true });
const POOL_BACKWARD_KEYS = keysOf<MaxPoolBackwardOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true, inputShape: true });
const GEMM_KEYS = keysOf<GemmOptions>({ transA: true, transB: true, alpha: true, beta: true, c: true, bias: true });
const SGD_KEYS = keysOf<SgdOptions>({ lr: true, momentum: true, weightDecay: true });
const BN_KEYS = keysOf<BatchNorm2dOptions>({ gamma: true, beta: true, runningMean: true, runningVar: true, training: true, eps: true, momentum: true, momentumMode: true });
const BN_BACKWARD_KEYS = keysOf<BatchNorm2dBackwardOptions>({ gamma: true, eps: true });
const SUM_TO_KEYS = keysOf<SumToShapeOptions>({ shape: true, alpha: true });
const BCAST_BACKWARD_KEYS = keysOf<BroadcastBackwardOptions>({ aShape: true, bShape: true });
const AVG_KEYS = keysOf<AvgPoolOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true, countIncludePad: true });
const AVG_BACKWARD_KEYS = keysOf<AvgPoolBackwardOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true, countIncludePad: true, inputShape: true });
const GLOBAL_BACKWARD_KEYS = keysOf<GlobalPoolBackwardOptions>({ inputShape: true });
const POOL1D_KEYS = keysOf<MaxPool1dOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true });
const POOL1D_BACKWARD_KEYS = keysOf<MaxPool1dBackwardOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true, inputShape: true });
const AVG1D_KEYS = keysOf<AvgPool1dOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true, countIncludePad: true });
const AVG1D_BACKWARD_KEYS = keysOf<AvgPool1dBackwardOptions>({ kernel: true, stride: true, padding: true, dilation: true, ceilMode: true, countIncludePad: true, inputShape: true });
const SOFTMAX_KEYS = keysOf<SoftmaxOptions>({ axis: true });
const CONTEXT_KEYS = keysOf<ContextOptions>({ backend: true, registry: true, backendOptions: true });

/** The float32 tensor every data op returns (read() gives a Float32Array). */
export type Float32Tensor = Tensor<'float32'>;
/** The int32 tensor of maxpool indices and labels (read() gives an Int32Array). */
export type Int32Tensor = Tensor<'int32'>;

/**
 * The op interface. Every op validates all arguments (in core, before the backend sees them),
 * computes the geometry, runs the backend's kernel and wraps the outputs in Tensors.
 */
export class Context implements TensorTracker {
  readonly backend: KernelBackend;
  #refs = new Map<DataId, number>();
  #live = new Set<Tensor>();
  #lastRun: RunRecord | null = null;
  #disposed = false;
  /**
   * Indices maxpool2d produced, by data id, with the geometry that produced them: valid by
   * construction (no op writes int32 data in place), so maxpool2dBackward checks only others.
   */
  #poolIndices = new Map<DataId, string>();

  /**
   * How the backend was picked (createContext fills it; for a Context built around a backend
   * directly it says that backend was given).
   */
  readonly selection: Selection;

  constructor(backend: KernelBackend, selection?: Selection) {
    this.backend = backend;
    this.selection = selection ?? {
      requested: [backend.name],
      chosen: backend.name,
      attempts: [{ name: backend.name, outcome: 'chosen', reason: 'backend passed to new Context()' }],
    };
  }

  /** Name of the backend this context runs on. */
  get backendName(): string {
    return this.backend.name;
  }

  /** The engine inside the backend that executes kernels (what really ran, e.g. 'headlessgl'). */
  get engine(): string {
    return this.backend.engine;
  }

  /** The last op that ran, with the backend and engine that executed it. */
  get lastRun(): RunRecord | null {
    return this.#lastRun;
  }

  supports(op: OpName): boolean {
    return this.backend.capabilities.has(op);
  }

  // ---- TensorTracker -------------------------------------------------------------------
  /** @internal */
  retain(id: DataId): void {
    this.#refs.set(id, (this.#refs.get(id) ?? 0) + 1);
  }
  /** @internal */
  release(id: DataId): void {
    const n = (this.#refs.get(id) ?? 0) - 1;
    if (n > 0) {
      this.#refs.set(id, n);
    } else {
      this.#refs.delete(id);
      this.#poolIndices.delete(id);
      this.backend.disposeData(id);
    }
  }
  /** @internal */
  onCreate(t: Tensor): void {
    this.#live.add(t);
  }
  /** @internal */
  onDispose(t: Tensor): void {
    this.#live.delete(t);
  }

  /** Live tensors of this context, and what the backend holds. */
  memory(): { tensors: number; dataIds: number; backend: BackendMemory } {
    return { tensors: this.#live.size, dataIds: this.#refs.size, backend: this.backend.memory() };
  }

  /** Disposes every live tensor and the backend. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const t of [...this.#live]) t.dispose();
    await this.backend.dispose();
  }

  // ---- tensors -------------------------------------------------------------------------
  /**
   * A tensor from values (Float32Array, Int32Array or number[]) and a shape. float32 values may
   * be NaN or +-Infinity; every element of a number[] must be a number (int32: an integer).
   */
  tensor(values: Float32Array | readonly number[], shape: readonly number[], dtype?: 'float32'): Tensor<'float32'>;
  tensor(values: Int32Array | readonly number[], shape: readonly number[], dtype: 'int32'): Tensor<'int32'>;
  tensor(values: Int32Array, shape: readonly number[]): Tensor<'int32'>;
  tensor(values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: DType): Tensor;
  tensor(values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: DType): Tensor {
    const op = 'tensor';
    const shapes: ShapeMap = Array.isArray(shape) ? { shape } : {};
    this.#assertLive('tensor');
    checkShapeArg(op, shape, shapes);
    if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') {
      throw new ValidationError(op, 'dtype', "'float32' or 'int32'", formatValue(dtype), shapes);
    }
    const n = sizeOf(shape);
    if (n > MAX_ELEMENTS) checkOutputSize(op, shape, shapes);
    let dt: DType;
    let data: Float32Array | Int32Array;
    if (values instanceof Float32Array) {
      dt = dtype ?? 'float32';
      if (dt !== 'float32') throw new ValidationError(op, 'values', `an Int32Array for dtype ${dt}`, 'a Float32Array', shapes);
      data = values.slice();
    } else if (values instanceof Int32Array) {
      dt = dtype ?? 'int32';
      if (dt !== 'int32') throw new ValidationError(op, 'values', `a Float32Array for dtype ${dt}`, 'an Int32Array', shapes);
      data = values.slice();
    } else if (Array.isArray(values)) {
      dt = dtype ?? 'float32';
      for (let i = 0; i < values.length; i++) {
        const v: unknown = values[i];
        if (typeof v !== 'number') {
          throw new ValidationError(op, 'values', 'numbers (NaN and Infinity included)', `${formatValue(v)} at index ${i}`, shapes);
        }
        if (dt === 'int32' && !(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) {
          const what = Number.isInteger(v) ? 'integer outside the int32 range' : 'non-integer';
          throw new ValidationError(op, 'values', 'int32 integers for dtype int32', `${what} ${formatValue(v)} at index ${i}`, shapes);
        }
      }
      data = dt === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    } else {
      const kind = (values as object)?.constructor?.name ?? typeof values;
      throw new ValidationError(op, 'values', 'a Float32Array, an Int32Array or number[]', kind, shapes);
    }
    if (data.length !== n) {
      throw new ValidationError(op, 'values', `${n} values for shape [${shape.join(', ')}]`, `${data.length} values`, shapes);
    }
    return this.#wrap('tensor', () => this.backend.write(data, dt), shape, dt);
  }

  /** A tensor of zeros. */
  zeros(shape: readonly number[], dtype?: 'float32'): Tensor<'float32'>;
  zeros(shape: readonly number[], dtype: 'int32'): Tensor<'int32'>;
  zeros(shape: readonly number[], dtype?: DType): Tensor;
  zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const op = 'zeros';
    const shapes: ShapeMap = Array.isArray(shape) ? { shape } : {};
    this.#assertLive(op);
    checkShapeArg(op, shape, shapes);
    if (dtype !== 'float32' && dtype !== 'int32') {
      throw new ValidationError(op, 'dtype', "'float32' or 'int32'", formatValue(dtype), shapes);
    }
    checkOutputSize(op, shape, shapes);
    return this.#wrap(op, () => this.backend.zeros(sizeOf(shape), dtype), shape, dtype);
  }

  #wrap(op: string, make: () => DataId, shape: readonly number[], dtype: DType): Tensor {
    let id: DataId;
    try {
      id = make();
    } catch (e) {
      throw this.#execError(op, e);
    }
    return new Tensor(this.backend, id, shape, dtype, this);
  }

  #execError(op: string, e: unknown): Error {
    if (e instanceof ConvkitError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new BackendExecutionError(op, this.backend.name, msg, { cause: e });
  }

  /** DisposedContextError after dispose(). */
  #assertLive(op: string, shapes: ShapeMap = {}): void {
    if (this.#disposed) {
      throw new DisposedContextError(op, 'context', 'a live context', `a context after dispose() (backend '${this.backend.name}')`, shapes);
    }
  }

  #require(op: OpName, shapes: ShapeMap): void {
    this.#assertLive(op, shapes);
    if (!this.backend.capabilities.has(op) || typeof (this.backend as any)[op] !== 'function') {
      void shapes;
      throw new NotImplementedError(op, this.backend.name);
    }
  }

  async #run<T>(op: string, f: () => T | Promise<T>): Promise<T> {
    try {
      const r = await f();
      this.#lastRun = { op, backend: this.backend.name, engine: this.backend.engine };
      return r;
    } catch (e) {
      throw this.#execError(op, e);
    }
  }

  #out(id: DataId, shape: readonly number[]): Tensor<'float32'>;
  #out(id: DataId, shape: readonly number[], dtype: 'int32'): Tensor<'int32'>;
  #out(id: DataId, shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return new Tensor(this.backend, id, shape, dtype, this);
  }

  // ---- gemm ----------------------------------------------------------------------------
  /** C = alpha * op(A) op(B) + beta * c + bias. A is [m, k] ([k, m] with transA), B is [k, n] ([n, k] with transB). */
  async gemm(a: Tensor, b: Tensor, o: GemmOptions = {}): Promise<Float32Tensor> {
    const op = 'gemm';
    checkOptions(op, o, GEMM_KEYS, shapesOf({ a, b }));
    const shapes = shapesOf({ a, b, c: o.c, bias: o.bias });
    this.#require(op, shapes);
    const be = this.backend;
    checkTensor(op, 'a', a, be, { dtype: 'float32', rank: 2 }, shapes);
    checkTensor(op, 'b', b, be, { dtype: 'float32', rank: 2 }, shapes);
    const transA = !!o.transA;
    const transB = !!o.transB;
    const [m, ka] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (ka !== kb) {
      throw new ValidationError(
        op,
        'b',
        `inner dimension ${ka} (op(a) is [${m}, ${ka}])`,
        `op(b) of [${kb}, ${n}]${transB ? ' (transB)' : ''}`,
        shapes,
      );
    }
    const alpha = checkFinite(op, 'alpha', o.alpha ?? 1, shapes);
    const beta = checkFinite(op, 'beta', o.beta ?? 0, shapes);
    if (o.c) {
      checkTensor(op, 'c', o.c, be, { dtype: 'float32', rank: 2 }, shapes);
      checkShapeEq(op, 'c', o.c, [m, n], shapes);
    } else if (beta !== 0) {
      throw new ValidationError(op, 'c', 'a tensor [m, n] when beta != 0', 'no c', shapes);
    }
    if (o.bias) {
      checkTensor(op, 'bias', o.bias, be, { dtype: 'float32', rank: 1 }, shapes);
      checkShapeEq(op, 'bias', o.bias, [n], shapes);
    }
    checkOutputSize(op, [m, n], shapes);
    const p: GemmParams = { m, n, k: ka, transA, transB, alpha, beta: o.c ? beta : 0 };
    const id = await this.#run(op, () => be.gemm!(a.dataId, b.dataId, o.c ? o.c.dataId : null, o.bias ? o.bias.dataId : null, p));
    return this.#out(id, [m, n]);
  }

  // ---- im2col / col2im -----------------------------------------------------------------
  #im2colParams(op: string, shape: readonly number[], o: Im2colOptions, shapes: ShapeMap): Im2colParams {
    const [N, C, H, W] = shape as [number, number, number, number];
    const kernel = checkKernel(op, o, shapes);
    const padMode = checkPadMode(op, o.padMode, shapes);
    const g = windowGeometry(op, H, W, { ...o, kernel }, shapes, padMode);
    return { ...g, N, C, padMode };
  }

  /** Columns [N, C*kH*kW, outH*outW] of every window (CONVENTIONS.md, im2col). */
  async im2col(x: Tensor, o: Im2colOptions): Promise<Float32Tensor> {
    const op = 'im2col';
    const shapes = shapesOf({ x });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, IM2COL_KEYS, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const p = this.#im2colParams(op, x.shape, o, shapes);
    const shape = checkOutputSize(op, [p.N, p.C * p.kH * p.kW, p.outH * p.outW], shapes);
    const id = await this.#run(op, () => this.backend.im2col!(x.dataId, p));
    return this.#out(id, shape);
  }

  /** The adjoint of im2col: sums columns back into a zeroed [N, C, H, W] image. */
  async col2im(cols: Tensor, o: Col2imOptions): Promise<Float32Tensor> {
    const op = 'col2im';
    const shapes = shapesOf({ cols });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, COL2IM_KEYS, shapes);
    checkTensor(op, 'cols', cols, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const inShape = o?.inputShape;
    if (!Array.isArray(inShape) || inShape.length !== 4 || inShape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ValidationError(op, 'inputShape', '[N, C, H, W] of integers >= 1', formatValue(inShape), shapes);
    }
    shapes.inputShape = inShape;
    const p = this.#im2colParams(op, inShape, o, shapes);
    checkShapeEq(op, 'cols', cols, [p.N, p.C * p.kH * p.kW, p.outH * p.outW], shapes);
    const shape = checkOutputSize(op, inShape, shapes);
    const id = await this.#run(op, () => this.backend.col2im!(cols.dataId, p));
    return this.#out(id, shape);
  }

  // ---- conv ----------------------------------------------------------------------------
  #convParams(op: string, x: Tensor, w: Tensor, o: ConvOptions, shapes: ShapeMap): Conv2dParams {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [K, Cg, R, S] = w.shape as [number, number, number, number];
    const groups = checkPositiveInt(op, 'groups', o.groups ?? 1, shapes);
    if (C % groups !== 0 || K % groups !== 0) {
      throw new ValidationError(op, 'groups', `a divisor of both C=${C} and K=${K}`, formatValue(groups), shapes);
    }
    if (Cg !== C / groups) {
      throw new ValidationError(
        op,
        'w',
        `w of shape [K, C/groups = ${C / groups}, kH, kW] for x with C=${C} and groups=${groups}`,
        `[${w.shape.join(', ')}]`,
        shapes,
      );
    }
    const padMode = checkPadMode(op, o.padMode, shapes);
    const g = windowGeometry(op, H, W, { kernel: [R, S], stride: o.stride, dilation: o.dilation, padding: o.padding }, shapes, padMode);
    return { ...g, N, C, K, groups, padMode, flip: !!o.flip };
  }

  /** y = conv(x, w) + bias. x [N, C, H, W], w [K, C/groups, kH, kW], bias [K] -> y [N, K, outH, outW]. */
  async conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Promise<Float32Tensor> {
    const op = 'conv2d';
    checkOptions(op, o, CONV2D_KEYS, shapesOf({ x, w }));
    const shapes = shapesOf({ x, w, bias: o.bias });
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const p = this.#convParams(op, x, w, o, shapes);
    if (o.bias) {
      checkTensor(op, 'bias', o.bias, this.backend, { dtype: 'float32', rank: 1 }, shapes);
      checkShapeEq(op, 'bias', o.bias, [p.K], shapes);
    }
    const shape = checkOutputSize(op, [p.N, p.K, p.outH, p.outW], shapes);
    const id = await this.#run(op, () => this.backend.conv2d!(x.dataId, w.dataId, o.bias ? o.bias.dataId : null, p));
    return this.#out(id, shape);
  }

  /** Gradients of conv2d given dL/dy: dx [N,C,H,W], dw [K,C/g,kH,kW], db [K]. */
  async conv2dBackward(
    x: Tensor,
    w: Tensor,
    dy: Tensor,
    o: Conv2dBackwardOptions = {},
  ): Promise<{ dx?: Float32Tensor; dw?: Float32Tensor; db?: Float32Tensor }> {
    const op = 'conv2dBackward';
    const shapes = shapesOf({ x, w, dy });
    checkOptions(op, o, CONV2D_BACKWARD_KEYS, shapes);
    checkOptions(op, o.wants, WANTS_KEYS, shapes, 'wants');
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const p = this.#convParams(op, x, w, o, shapes);
    checkShapeEq(op, 'dy', dy, [p.N, p.K, p.outH, p.outW], shapes);
    const wants = { dx: o.wants?.dx ?? true, dw: o.wants?.dw ?? true, db: o.wants?.db ?? true };
    const r = await this.#run(op, () => this.backend.conv2dBackward!(x.dataId, w.dataId, dy.dataId, p, wants));
    return {
      dx: r.dx ? this.#out(r.dx, x.shape) : undefined,
      dw: r.dw ? this.#out(r.dw, w.shape) : undefined,
      db: r.db ? this.#out(r.db, [p.K]) : undefined,
    };
  }

  #conv1dAs2d(o: Conv1dOptions): ConvOptions {
    const pad = o.padding ?? 'same';
    let padding: Padding;
    if (pad === 'same' || pad === 'valid') padding = pad;
    else if (typeof pad === 'number') padding = [0, 0, pad, pad];
    else if (Array.isArray(pad) && pad.length === 2) padding = [0, 0, pad[0]!, pad[1]!];
    else padding = pad as unknown as Padding; // rejected by validation with its value
    return {
      stride: [1, o.stride ?? 1],
      dilation: [1, o.dilation ?? 1],
      padding,
      groups: o.groups,
      padMode: o.padMode,
      flip: o.flip,
    };
  }

  /** 1-D convolution: x [N, C, L], w [K, C/groups, kW] -> [N, K, outL]; the 2-D op with H = 1. */
  async conv1d(x: Tensor, w: Tensor, o: Conv1dOptions = {}): Promise<Float32Tensor> {
    const op = 'conv1d';
    checkOptions(op, o, CONV1D_KEYS, shapesOf({ x, w }));
    const shapes = shapesOf({ x, w, bias: o.bias });
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const x4 = x.reshape([x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]);
    const w4 = w.reshape([w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]);
    try {
      const y = await this.conv2d(x4, w4, { ...this.#conv1dAs2d(o), bias: o.bias });
      const y3 = y.reshape([y.shape[0]!, y.shape[1]!, y.shape[3]!]);
      y.dispose();
      return y3;
    } finally {
      x4.dispose();
      w4.dispose();
    }
  }

  /** Gradients of conv1d. */
  async conv1dBackward(
    x: Tensor,
    w: Tensor,
    dy: Tensor,
    o: Conv1dOptions & { wants?: Conv2dBackwardOptions['wants'] } = {},
  ): Promise<{ dx?: Float32Tensor; dw?: Float32Tensor; db?: Float32Tensor }> {
    const op = 'conv1dBackward';
    const shapes = shapesOf({ x, w, dy });
    checkOptions(op, o, CONV1D_BACKWARD_KEYS, shapes);
    checkOptions(op, o.wants, WANTS_KEYS, shapes, 'wants');
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const to4 = (t: Tensor) => t.reshape([t.shape[0]!, t.shape[1]!, 1, t.shape[2]!]);
    const [x4, w4, dy4] = [to4(x), to4(w), to4(dy)];
    try {
      const r = await this.conv2dBackward(x4, w4, dy4, { ...this.#conv1dAs2d(o), wants: o.wants });
      const back = (t: Float32Tensor | undefined, shape: readonly number[]) => {
        if (!t) return undefined;
        const t3 = t.reshape(shape);
        t.dispose();
        return t3;
      };
      return { dx: back(r.dx, x.shape), dw: back(r.dw, w.shape), db: r.db };
    } finally {
      x4.dispose();
      w4.dispose();
      dy4.dispose();
    }
  }

  // ---- transposed convolution (composites over conv2dBackward's data gradient and conv2d) ----
  /**
   * Geometry of a transposed conv and the conv2d it is the adjoint of: conv2d(z, w, conv) maps
   * z [N, K, outH, outW] to [N, C, inH, inW], and conv2dTranspose(x, w) = that conv's data gradient
   * at dy = x. Everything validated here, before any work.
   */
  #convTranspose(op: string, x: Tensor, w: Tensor, o: ConvTransposeOptions, shapes: ShapeMap) {
    const [N, C, inH, inW] = x.shape as [number, number, number, number];
    const [wc, Kg, kH, kW] = w.shape as [number, number, number, number];
    const groups = checkPositiveInt(op, 'groups', o.groups ?? 1, shapes);
    if (C % groups !== 0) throw new ValidationError(op, 'groups', `a divisor of C=${C}`, formatValue(groups), shapes);
    if (wc !== C) {
      throw new ValidationError(op, 'w', `w of shape [C = ${C}, K/groups, kH, kW] (ONNX ConvTranspose) for x with C=${C}`, `[${w.shape.join(', ')}]`, shapes);
    }
    const stride = checkPair(op, 'stride', o.stride, shapes);
    const dilation = checkPair(op, 'dilation', o.dilation, shapes);
    const opad = o.outputPadding ?? 0;
    const okOp = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    const outPad: [number, number] | null = okOp(opad) ? [opad as number, opad as number] : Array.isArray(opad) && opad.length === 2 && okOp(opad[0]) && okOp(opad[1]) ? [opad[0], opad[1]] : null;
    if (!outPad) throw new ValidationError(op, 'outputPadding', 'an integer >= 0 or [h, w] of integers >= 0', formatValue(opad), shapes);
    for (let a = 0; a < 2; a++) {
      const lim = Math.max(stride[a]!, dilation[a]!);
      if (outPad[a]! >= lim) {
        throw new ValidationError(op, 'outputPadding', `less than max(stride, dilation) = ${lim} along ${a === 0 ? 'H' : 'W'} (ONNX, PyTorch)`, formatValue(opad), shapes);
      }
    }
    const padding = o.padding ?? 'same';
    const K = Kg * groups;
    const span = [dilation[0] * (kH - 1) + 1, dilation[1] * (kW - 1) + 1];
    const ins = [inH, inW];
    let convPadding: Padding;
    let outH: number;
    let outW: number;
    if (padding === 'same') {
      if (outPad[0] !== 0 || outPad[1] !== 0) {
        throw new ValidationError(op, 'outputPadding', "0 with 'same' padding (the output is in*stride)", formatValue(opad), shapes);
      }
      convPadding = 'same';
      outH = inH * stride[0];
      outW = inW * stride[1];
    } else {
      const p: unknown = padding === 'valid' ? [0, 0, 0, 0] : typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
      if (!Array.isArray(p) || p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) {
        throw new ValidationError(op, 'padding', "'same', 'valid', a non-negative integer or [top, bottom, left, right] of non-negative integers", formatValue(padding), shapes);
      }
      const pads = p as number[];
      const out = [0, 1].map((a) => (ins[a]! - 1) * stride[a]! - pads[2 * a]! - pads[2 * a + 1]! + span[a]! + outPad[a]!);
      if (out[0]! < 1 || out[1]! < 1) {
        throw new ValidationError(op, 'padding', `pads that leave an output (uncropped ${(inH - 1) * stride[0] + span[0]! + outPad[0]} x ${(inW - 1) * stride[1] + span[1]! + outPad[1]})`, formatValue(padding), shapes);
      }
      [outH, outW] = [out[0]!, out[1]!];
      // the conv's after-pad b': any with 0 <= outputPadding + b' - b < stride gives the conv
      // exactly inH windows (the after-pad only sets the window count): b' = max(0, b - outputPadding),
      // which exists unless outputPadding >= stride + b (then the last rows get no input)
      const after = [0, 1].map((a) => Math.max(0, pads[2 * a + 1]! - outPad[a]!));
      if (outPad[0]! >= stride[0] + pads[1]! || outPad[1]! >= stride[1] + pads[3]!) {
        throw new ValidationError(
          op,
          'outputPadding',
          'outputPadding < stride + the bottom/right pad (rows past that get no input: not supported)',
          `${formatValue(opad)} with stride ${formatValue(stride)} and pads ${formatValue(padding)}`,
          shapes,
        );
      }
      convPadding = [pads[0]!, after[0]!, pads[2]!, after[1]!];
    }
    checkOutputSize(op, [N, K, outH, outW], shapes);
    const conv: ConvOptions = { stride, dilation, groups, padding: convPadding };
    return { N, C, K, inH, inW, outH, outW, conv };
  }

  /** NotImplementedError for `op` unless the backend has each of `kernels`. */
  #requireKernels(op: string, kernels: readonly OpName[], shapes: ShapeMap): void {
    this.#assertLive(op, shapes);
    for (const k of kernels) {
      if (!this.backend.capabilities.has(k) || typeof (this.backend as any)[k] !== 'function') throw new NotImplementedError(op, this.backend.name);
    }
  }

  /**
   * Transposed convolution (ONNX ConvTranspose): x [N, C, H, W], w [C, K/groups, kH, kW], bias
   * [K] -> y [N, K, outH, outW], out = (in - 1)*stride - padBefore - padAfter + dilation*(k - 1) +
   * outputPadding + 1 (in*stride with 'same', the default). Composed from conv2dBackward's data
   * gradient (the exact adjoint of conv2d) and add for the bias, so every backend with those has it.
   */
  async conv2dTranspose(x: Tensor, w: Tensor, o: Conv2dTransposeOptions = {}): Promise<Float32Tensor> {
    const op = 'conv2dTranspose';
    checkOptions(op, o, CONV2DT_KEYS, shapesOf({ x, w }));
    const shapes = shapesOf({ x, w, bias: o.bias });
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const g = this.#convTranspose(op, x, w, o, shapes);
    if (o.bias) {
      checkTensor(op, 'bias', o.bias, this.backend, { dtype: 'float32', rank: 1 }, shapes);
      checkShapeEq(op, 'bias', o.bias, [g.K], shapes);
    }
    this.#requireKernels(op, o.bias ? ['conv2dBackward', 'add'] : ['conv2dBackward'], shapes);
    // conv2dBackward needs an x of the conv's input shape; with only dx wanted it reads its shape
    const z = this.zeros([g.N, g.K, g.outH, g.outW]);
    let y: Float32Tensor;
    try {
      y = (await this.conv2dBackward(z, w, x, { ...g.conv, wants: { dx: true, dw: false, db: false } })).dx!;
    } finally {
      z.dispose();
    }
    if (o.bias) {
      const b3 = o.bias.reshape([g.K, 1, 1]);
      try {
        const yb = await this.add(y, b3);
        y.dispose();
        y = yb;
      } catch (e) {
        y.dispose();
        throw e;
      } finally {
        b3.dispose();
      }
    }
    this.#ran(op);
    return y;
  }

  /**
   * Gradients of conv2dTranspose given dL/dy: dx = conv2d(dy, w) [N, C, H, W] (the conv it is the
   * adjoint of), dw = that conv's weight gradient with x as its dy [C, K/groups, kH, kW], db =
   * dy summed over N, H, W [K]. `wants` picks which (and so which kernels it needs).
   */
  async conv2dTransposeBackward(
    x: Tensor,
    w: Tensor,
    dy: Tensor,
    o: Conv2dTransposeBackwardOptions = {},
  ): Promise<{ dx?: Float32Tensor; dw?: Float32Tensor; db?: Float32Tensor }> {
    const op = 'conv2dTransposeBackward';
    const shapes = shapesOf({ x, w, dy });
    checkOptions(op, o, CONV2DT_BACKWARD_KEYS, shapes);
    checkOptions(op, o.wants, WANTS_KEYS, shapes, 'wants');
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const g = this.#convTranspose(op, x, w, o, shapes);
    checkShapeEq(op, 'dy', dy, [g.N, g.K, g.outH, g.outW], shapes);
    const wants = { dx: o.wants?.dx ?? true, dw: o.wants?.dw ?? true, db: o.wants?.db ?? true };
    const need: OpName[] = [];
    if (wants.dx) need.push('conv2d');
    if (wants.dw) need.push('conv2dBackward');
    if (wants.db) need.push('sumToShape');
    this.#requireKernels(op, need, shapes);
    const made: Float32Tensor[] = [];
    try {
      const dx = wants.dx ? await this.conv2d(dy, w, g.conv) : undefined;
      if (dx) made.push(dx);
      const dw = wants.dw ? (await this.conv2dBackward(dy, w, x, { ...g.conv, wants: { dx: false, dw: true, db: false } })).dw! : undefined;
      if (dw) made.push(dw);
      let db: Float32Tensor | undefined;
      if (wants.db) {
        const s = await this.sumToShape(dy, { shape: [g.K, 1, 1] });
        db = s.reshape([g.K]);
        s.dispose();
      }
      this.#ran(op);
      return { dx, dw, db };
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  }

  #conv1dTransposeAs2d(op: string, o: Conv1dTransposeOptions, shapes: ShapeMap): ConvTransposeOptions {
    const stride = checkPositiveInt(op, 'stride', o.stride ?? 1, shapes);
    const dilation = checkPositiveInt(op, 'dilation', o.dilation ?? 1, shapes);
    const outputPadding = checkPositiveInt(op, 'outputPadding', o.outputPadding ?? 0, shapes, 0);
    const pad = o.padding ?? 'same';
    let padding: Padding;
    if (pad === 'same' || pad === 'valid') padding = pad;
    else if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) padding = [0, 0, pad, pad];
    else if (Array.isArray(pad) && pad.length === 2 && pad.every((v) => Number.isInteger(v) && v >= 0)) padding = [0, 0, pad[0]!, pad[1]!];
    else throw new ValidationError(op, 'padding', "'same', 'valid', a non-negative integer or [left, right] of non-negative integers", formatValue(pad), shapes);
    return { stride: [1, stride], dilation: [1, dilation], outputPadding: [0, outputPadding], padding, groups: o.groups };
  }

  /** 1-D transposed convolution: x [N, C, L], w [C, K/groups, kW] -> [N, K, outL]; conv2dTranspose with H = 1. */
  async conv1dTranspose(x: Tensor, w: Tensor, o: Conv1dTransposeOptions = {}): Promise<Float32Tensor> {
    const op = 'conv1dTranspose';
    checkOptions(op, o, CONV1DT_KEYS, shapesOf({ x, w }));
    const shapes = shapesOf({ x, w, bias: o.bias });
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const o2 = this.#conv1dTransposeAs2d(op, o, shapes);
    this.#requireKernels(op, o.bias ? ['conv2dBackward', 'add'] : ['conv2dBackward'], shapes);
    const x4 = x.reshape([x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]);
    const w4 = w.reshape([w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]);
    try {
      const y = await this.conv2dTranspose(x4, w4, { ...o2, bias: o.bias });
      this.#ran(op);
      return this.#to3(y);
    } finally {
      x4.dispose();
      w4.dispose();
    }
  }

  /** Gradients of conv1dTranspose. */
  async conv1dTransposeBackward(
    x: Tensor,
    w: Tensor,
    dy: Tensor,
    o: Conv1dTransposeOptions & { wants?: Conv2dBackwardOptions['wants'] } = {},
  ): Promise<{ dx?: Float32Tensor; dw?: Float32Tensor; db?: Float32Tensor }> {
    const op = 'conv1dTransposeBackward';
    const shapes = shapesOf({ x, w, dy });
    checkOptions(op, o, CONV1DT_BACKWARD_KEYS, shapes);
    checkOptions(op, o.wants, WANTS_KEYS, shapes, 'wants');
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const o2 = this.#conv1dTransposeAs2d(op, o, shapes);
    const need: OpName[] = [];
    if (o.wants?.dx ?? true) need.push('conv2d');
    if (o.wants?.dw ?? true) need.push('conv2dBackward');
    if (o.wants?.db ?? true) need.push('sumToShape');
    this.#requireKernels(op, need, shapes);
    const to4 = (t: Tensor) => t.reshape([t.shape[0]!, t.shape[1]!, 1, t.shape[2]!]);
    const [x4, w4, dy4] = [to4(x), to4(w), to4(dy)];
    try {
      const r = await this.conv2dTransposeBackward(x4, w4, dy4, { ...o2, wants: o.wants });
      this.#ran(op);
      return { dx: r.dx && this.#to3(r.dx), dw: r.dw && this.#to3(r.dw), db: r.db };
    } finally {
      x4.dispose();
      w4.dispose();
      dy4.dispose();
    }
  }

  // ---- pooling -------------------------------------------------------------------------
  #poolParams(op: string, shape: readonly number[], o: MaxPoolOptions, shapes: ShapeMap): MaxPool2dParams {
    const [N, C, H, W] = shape as [number, number, number, number];
    const kernel = checkKernel(op, o, shapes);
    if (o.ceilMode !== undefined && typeof o.ceilMode !== 'boolean') {
      throw new ValidationError(op, 'ceilMode', 'a boolean', formatValue(o.ceilMode), shapes);
    }
    const g: Window2d = windowGeometry(
      op,
      H,
      W,
      { kernel, stride: o.stride ?? kernel, dilation: o.dilation, padding: o.padding, ceilMode: o.ceilMode },
      shapes,
    );
    return { ...g, N, C };
  }

  /** Max over each window: y [N, C, outH, outW] and int32 flat indices into x of each max. */
  async maxpool2d(x: Tensor, o: MaxPoolOptions): Promise<{ y: Float32Tensor; indices: Int32Tensor }> {
    const op = 'maxpool2d';
    const shapes = shapesOf({ x });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, POOL_KEYS, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const p = this.#poolParams(op, x.shape, o, shapes);
    const shape = checkOutputSize(op, [p.N, p.C, p.outH, p.outW], shapes);
    const r = await this.#run(op, () => this.backend.maxpool2d!(x.dataId, p));
    const y = this.#out(r.y, shape);
    const indices = this.#out(r.indices, shape, 'int32');
    this.#poolIndices.set(r.indices, poolKey(p));
    return { y, indices };
  }

  /**
   * dx [inputShape], zero but dx[indices[o]] += dy[o]. Each index must lie inside its own
   * output's window (as maxpool2d returns them) or be -1, else a ValidationError before any work:
   * indices maxpool2d returned for the same geometry are valid by construction; others are read
   * and checked (checkPoolIndices).
   */
  async maxpool2dBackward(dy: Tensor, indices: Tensor, o: MaxPoolBackwardOptions): Promise<Float32Tensor> {
    const op = 'maxpool2dBackward';
    const shapes = shapesOf({ dy, indices });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, POOL_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'indices', indices, this.backend, { dtype: 'int32', rank: 4 }, shapes);
    const inShape = o?.inputShape;
    if (!Array.isArray(inShape) || inShape.length !== 4 || inShape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ValidationError(op, 'inputShape', '[N, C, H, W] of integers >= 1', formatValue(inShape), shapes);
    }
    shapes.inputShape = inShape;
    const p = this.#poolParams(op, inShape, o, shapes);
    checkShapeEq(op, 'dy', dy, [p.N, p.C, p.outH, p.outW], shapes);
    checkShapeEq(op, 'indices', indices, [p.N, p.C, p.outH, p.outW], shapes);
    const shape = checkOutputSize(op, inShape, shapes);
    if (this.#poolIndices.get(indices.dataId) !== poolKey(p)) {
      // not maxpool2d's own indices for this geometry (e.g. written with ctx.tensor): every index
      // must lie inside its window, or the gradient would be dropped or misrouted
      let host: Float32Array | Int32Array;
      try {
        host = this.backend.readSync ? this.backend.readSync(indices.dataId) : await this.backend.read(indices.dataId);
      } catch (e) {
        throw this.#execError(op, e);
      }
      checkPoolIndices(op, host as Int32Array, p, shapes);
    }
    const id = await this.#run(op, () => this.backend.maxpool2dBackward!(dy.dataId, indices.dataId, p));
    return this.#out(id, shape);
  }

  // ---- training --------------------------------------------------------------------------
  /**
   * One SGD step, in place: v = momentum*v + g + weightDecay*w; w = w - lr*v.
   * (PyTorch SGD with dampening 0.) w, g and v share a shape; v starts at zero.
   */
  async sgd(w: Tensor, g: Tensor, v: Tensor, o: SgdOptions): Promise<void> {
    const op = 'sgd';
    const shapes = shapesOf({ w, g, v });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, SGD_KEYS, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'g', g, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'v', v, this.backend, { dtype: 'float32' }, shapes);
    checkShapeEq(op, 'g', g, w.shape, shapes);
    checkShapeEq(op, 'v', v, w.shape, shapes);
    if (w.dataId === v.dataId || w.dataId === g.dataId || g.dataId === v.dataId) {
      throw new ValidationError(op, 'v', 'w, g and v in distinct storage', 'two arguments sharing storage', shapes);
    }
    const lr = checkFinite(op, 'lr', o?.lr, shapes, 0);
    const momentum = checkFinite(op, 'momentum', o.momentum ?? 0, shapes, 0);
    const weightDecay = checkFinite(op, 'weightDecay', o.weightDecay ?? 0, shapes, 0);
    await this.#run(op, () => this.backend.sgd!(w.dataId, g.dataId, v.dataId, { size: w.size, lr, momentum, weightDecay }));
  }

  async relu(x: Tensor): Promise<Float32Tensor> {
    const op = 'relu';
    const shapes = shapesOf({ x });
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32' }, shapes);
    const id = await this.#run(op, () => this.backend.relu!(x.dataId, x.size));
    return this.#out(id, x.shape);
  }

  /** dx = dy where x > 0, else 0. */
  async reluBackward(x: Tensor, dy: Tensor): Promise<Float32Tensor> {
    const op = 'reluBackward';
    const shapes = shapesOf({ x, dy });
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32' }, shapes);
    checkShapeEq(op, 'dy', dy, x.shape, shapes);
    const id = await this.#run(op, () => this.backend.reluBackward!(x.dataId, dy.dataId, x.size));
    return this.#out(id, x.shape);
  }

  /**
   * Labels outside [0, classes) are refused before the kernel on every backend. Labels are [n]
   * int32 (host-resident on every bundled backend), so reading them costs one small copy.
   */
  async #checkLabels(op: string, labels: Tensor, classes: number, shapes: ShapeMap): Promise<void> {
    let host: Float32Array | Int32Array;
    try {
      host = this.backend.readSync ? this.backend.readSync(labels.dataId) : await this.backend.read(labels.dataId);
    } catch (e) {
      throw this.#execError(op, e);
    }
    checkLabels(op, host as Int32Array, classes, shapes);
  }

  #xentShapes(op: string, a: Tensor, aName: string, labels: Tensor, shapes: ShapeMap) {
    checkTensor(op, aName, a, this.backend, { dtype: 'float32', rank: 2 }, shapes);
    checkTensor(op, 'labels', labels, this.backend, { dtype: 'int32', rank: 1 }, shapes);
    const [n, classes] = a.shape as [number, number];
    checkShapeEq(op, 'labels', labels, [n], shapes);
    return { n, classes };
  }

  /**
   * Softmax of logits [n, classes] per row and the mean cross-entropy against int32 labels [n]
   * (each in [0, classes)). Returns loss of shape [] and probs [n, classes].
   */
  async softmaxCrossEntropy(logits: Tensor, labels: Tensor): Promise<{ loss: Float32Tensor; probs: Float32Tensor }> {
    const op = 'softmaxCrossEntropy';
    const shapes = shapesOf({ logits, labels });
    this.#require(op, shapes);
    const p = this.#xentShapes(op, logits, 'logits', labels, shapes);
    await this.#checkLabels(op, labels, p.classes, shapes);
    const r = await this.#run(op, () => this.backend.softmaxCrossEntropy!(logits.dataId, labels.dataId, p));
    return { loss: this.#out(r.loss, []), probs: this.#out(r.probs, logits.shape) };
  }

  /** dlogits = (probs - onehot(labels)) / n. */
  async softmaxCrossEntropyBackward(probs: Tensor, labels: Tensor): Promise<Float32Tensor> {
    const op = 'softmaxCrossEntropyBackward';
    const shapes = shapesOf({ probs, labels });
    this.#require(op, shapes);
    const p = this.#xentShapes(op, probs, 'probs', labels, shapes);
    await this.#checkLabels(op, labels, p.classes, shapes);
    const id = await this.#run(op, () => this.backend.softmaxCrossEntropyBackward!(probs.dataId, labels.dataId, p));
    return this.#out(id, probs.shape);
  }

  // ---- batch norm --------------------------------------------------------------------------
  /** An optional per-channel tensor [C] of batchNorm2d (null when absent). */
  #perChannel(op: string, arg: string, t: Tensor | null | undefined, C: number, shapes: ShapeMap): Tensor | null {
    if (t === undefined || t === null) return null;
    checkTensor(op, arg, t, this.backend, { dtype: 'float32', rank: 1 }, shapes);
    checkShapeEq(op, arg, t, [C], shapes);
    return t;
  }

  /** eps of a batch norm: finite, >= 0; default 1e-5. */
  #bnEps(op: string, v: unknown, shapes: ShapeMap): number {
    return checkFinite(op, 'eps', v ?? 1e-5, shapes, 0);
  }

  /**
   * Batch normalisation of x [N, C, H, W] per channel over N, H, W (CONVENTIONS.md, "Batch norm";
   * PyTorch BatchNorm2d, ONNX BatchNormalization):
   * - inference (default): y = gamma*(x - runningMean)/sqrt(runningVar + eps) + beta; runningMean
   *   and runningVar are required; the returned runningMean/runningVar are null (unchanged).
   * - training: normalises with the batch mean and biased variance; when runningMean/runningVar are
   *   given, returns the updated statistics as NEW tensors (the inputs are left unchanged, as ONNX's
   *   training outputs; replace yours with them). momentum defaults to PyTorch's 0.1.
   * gamma/beta absent = affine off. Training needs N*H*W > 1 (as PyTorch).
   */
  async batchNorm2d(
    x: Tensor,
    o: BatchNorm2dOptions = {},
  ): Promise<{ y: Float32Tensor; runningMean: Float32Tensor | null; runningVar: Float32Tensor | null }> {
    const op = 'batchNorm2d';
    const shapes = shapesOf({ x, gamma: o?.gamma, beta: o?.beta, runningMean: o?.runningMean, runningVar: o?.runningVar });
    checkOptions(op, o, BN_KEYS, shapes);
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const gamma = this.#perChannel(op, 'gamma', o.gamma, C, shapes);
    const beta = this.#perChannel(op, 'beta', o.beta, C, shapes);
    const rm = this.#perChannel(op, 'runningMean', o.runningMean, C, shapes);
    const rv = this.#perChannel(op, 'runningVar', o.runningVar, C, shapes);
    if ((rm === null) !== (rv === null)) {
      const missing = rm === null ? 'runningMean' : 'runningVar';
      throw new ValidationError(op, missing, 'runningMean and runningVar together (both or neither)', `only ${missing === 'runningMean' ? 'runningVar' : 'runningMean'}`, shapes);
    }
    if (o.training !== undefined && typeof o.training !== 'boolean') {
      throw new ValidationError(op, 'training', 'a boolean', formatValue(o.training), shapes);
    }
    const training = o.training ?? false;
    if (!training && rm === null) {
      throw new ValidationError(op, 'runningMean', 'runningMean and runningVar [C] in inference mode (training false)', 'none', shapes);
    }
    const momentumMode = o.momentumMode ?? 'pytorch';
    if (momentumMode !== 'pytorch' && momentumMode !== 'onnx') {
      throw new ValidationError(op, 'momentumMode', "'pytorch' or 'onnx'", formatValue(momentumMode), shapes);
    }
    const eps = this.#bnEps(op, o.eps, shapes);
    const momentum = checkFinite(op, 'momentum', o.momentum ?? (momentumMode === 'pytorch' ? 0.1 : 0.9), shapes, 0);
    if (momentum > 1) throw new ValidationError(op, 'momentum', 'a number in [0, 1]', formatValue(momentum), shapes);
    if (training && N * H * W <= 1) {
      throw new ValidationError(op, 'x', 'more than 1 value per channel in training (N*H*W > 1, as PyTorch)', `N*H*W = ${N * H * W}`, shapes);
    }
    const p: BatchNorm2dParams = { N, C, H, W, training, eps, momentum, momentumMode };
    const id = (t: Tensor | null) => (t ? t.dataId : null);
    const r = await this.#run(op, () => this.backend.batchNorm2d!(x.dataId, id(gamma), id(beta), id(rm), id(rv), p));
    return {
      y: this.#out(r.y, x.shape),
      runningMean: r.runningMean ? this.#out(r.runningMean, [C]) : null,
      runningVar: r.runningVar ? this.#out(r.runningVar, [C]) : null,
    };
  }

  /**
   * Training-mode gradients of batchNorm2d, from the batch statistics of x (CONVENTIONS.md):
   * dx = gamma/sqrt(var + eps) * (dy - mean(dy) - xhat*mean(dy*xhat)), dgamma = sum(dy*xhat),
   * dbeta = sum(dy), over N, H, W. gamma absent = affine off (dgamma and dbeta are returned anyway).
   */
  async batchNorm2dBackward(
    x: Tensor,
    dy: Tensor,
    o: BatchNorm2dBackwardOptions = {},
  ): Promise<{ dx: Float32Tensor; dgamma: Float32Tensor; dbeta: Float32Tensor }> {
    const op = 'batchNorm2dBackward';
    const shapes = shapesOf({ x, dy, gamma: o?.gamma });
    checkOptions(op, o, BN_BACKWARD_KEYS, shapes);
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkShapeEq(op, 'dy', dy, x.shape, shapes);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const gamma = this.#perChannel(op, 'gamma', o.gamma, C, shapes);
    const eps = this.#bnEps(op, o.eps, shapes);
    if (N * H * W <= 1) {
      throw new ValidationError(op, 'x', 'more than 1 value per channel (N*H*W > 1; batch statistics)', `N*H*W = ${N * H * W}`, shapes);
    }
    const r = await this.#run(op, () => this.backend.batchNorm2dBackward!(x.dataId, dy.dataId, gamma ? gamma.dataId : null, { N, C, H, W, eps }));
    return { dx: this.#out(r.dx, x.shape), dgamma: this.#out(r.dgamma, [C]), dbeta: this.#out(r.dbeta, [C]) };
  }

  // ---- elementwise with broadcasting --------------------------------------------------------
  #binary(op: 'add' | 'sub' | 'mul', a: Tensor, b: Tensor): { p: BroadcastParams; shapes: ShapeMap } {
    const shapes = shapesOf({ a, b });
    this.#require(op, shapes);
    checkTensor(op, 'a', a, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'b', b, this.backend, { dtype: 'float32' }, shapes);
    const shape = checkOutputSize(op, checkBroadcast(op, 'b', a.shape, b.shape, shapes), shapes);
    return { p: { shape, aStrides: broadcastStrides(a.shape, shape), bStrides: broadcastStrides(b.shape, shape), size: sizeOf(shape) }, shapes };
  }

  /** y = a + b with numpy broadcasting (ONNX Add): same shape, per channel ([C, 1, 1] or [1, C, 1, 1]), scalar ([] or [1]). */
  async add(a: Tensor, b: Tensor): Promise<Float32Tensor> {
    const { p } = this.#binary('add', a, b);
    const id = await this.#run('add', () => this.backend.add!(a.dataId, b.dataId, p));
    return this.#out(id, p.shape);
  }

  /** y = a - b with numpy broadcasting (ONNX Sub). */
  async sub(a: Tensor, b: Tensor): Promise<Float32Tensor> {
    const { p } = this.#binary('sub', a, b);
    const id = await this.#run('sub', () => this.backend.sub!(a.dataId, b.dataId, p));
    return this.#out(id, p.shape);
  }

  /** y = a * b with numpy broadcasting (ONNX Mul). */
  async mul(a: Tensor, b: Tensor): Promise<Float32Tensor> {
    const { p } = this.#binary('mul', a, b);
    const id = await this.#run('mul', () => this.backend.mul!(a.dataId, b.dataId, p));
    return this.#out(id, p.shape);
  }

  /** The params of sumToShape of x to `shape` (x's shape must be the broadcast of shape to it). */
  #sumToParams(op: string, arg: string, xShape: readonly number[], shape: readonly number[], alpha: number, shapes: ShapeMap) {
    const b = broadcastShape(xShape, shape);
    if (!b || b.length !== xShape.length || b.some((d, i) => d !== xShape[i])) {
      throw new ValidationError(
        op,
        arg,
        `a shape that broadcasts to [${xShape.join(', ')}] (numpy rules: aligned on the right, each axis equal or 1, rank <= ${xShape.length})`,
        formatValue(shape),
        shapes,
      );
    }
    // y's element strides along x's axes: 0 where y is broadcast (missing or size 1)
    const strides = broadcastStrides(shape, xShape);
    return { shape: [...xShape], strides, size: sizeOf(xShape), outSize: sizeOf(shape), alpha };
  }

  /**
   * y = alpha * x summed over the axes along which `shape` was broadcast to reach x's shape (the
   * gradient of a broadcast operand; PyTorch's sum_to_size). y has `shape`.
   */
  async sumToShape(x: Tensor, o: SumToShapeOptions): Promise<Float32Tensor> {
    const op = 'sumToShape';
    const shapes = shapesOf({ x });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, SUM_TO_KEYS, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32' }, shapes);
    const shape = checkShapeList(op, 'shape', o.shape, shapes);
    const alpha = checkFinite(op, 'alpha', o.alpha ?? 1, shapes);
    const p = this.#sumToParams(op, 'shape', x.shape, shape, alpha, shapes);
    const id = await this.#run(op, () => this.backend.sumToShape!(x.dataId, p));
    return this.#out(id, shape);
  }

  /** The operand shapes of an add/sub backward, checked against dy. */
  #broadcastBackward(op: string, dy: Tensor, o: BroadcastBackwardOptions, shapes: ShapeMap): { aShape: number[]; bShape: number[] } {
    checkRequiredOptions(op, o, BCAST_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32' }, shapes);
    const aShape = checkShapeList(op, 'aShape', o.aShape, shapes);
    const bShape = checkShapeList(op, 'bShape', o.bShape, shapes);
    shapes.aShape = aShape;
    shapes.bShape = bShape;
    const out = checkBroadcast(op, 'bShape', aShape, bShape, shapes);
    checkShapeEq(op, 'dy', dy, out, shapes);
    return { aShape, bShape };
  }

  /** Both gradients of a broadcast op, each a sumToShape of its own gradient (disposed on failure). */
  async #twoSums(op: string, ga: Tensor, aShape: number[], gb: Tensor, bShape: number[], alphaB: number, shapes: ShapeMap) {
    const pa = this.#sumToParams(op, 'aShape', ga.shape, aShape, 1, shapes);
    const pb = this.#sumToParams(op, 'bShape', gb.shape, bShape, alphaB, shapes);
    const da = this.#out(await this.#run(op, () => this.backend.sumToShape!(ga.dataId, pa)), aShape);
    try {
      const db = this.#out(await this.#run(op, () => this.backend.sumToShape!(gb.dataId, pb)), bShape);
      return { da, db };
    } catch (e) {
      da.dispose();
      throw e;
    }
  }

  /** Gradients of add: da = dy summed to aShape, db = dy summed to bShape. */
  async addBackward(dy: Tensor, o: BroadcastBackwardOptions): Promise<{ da: Float32Tensor; db: Float32Tensor }> {
    const op = 'addBackward';
    const shapes = shapesOf({ dy });
    this.#require('sumToShape', shapes);
    const { aShape, bShape } = this.#broadcastBackward(op, dy, o, shapes);
    return this.#twoSums(op, dy, aShape, dy, bShape, 1, shapes);
  }

  /** Gradients of sub: da = dy summed to aShape, db = -dy summed to bShape. */
  async subBackward(dy: Tensor, o: BroadcastBackwardOptions): Promise<{ da: Float32Tensor; db: Float32Tensor }> {
    const op = 'subBackward';
    const shapes = shapesOf({ dy });
    this.#require('sumToShape', shapes);
    const { aShape, bShape } = this.#broadcastBackward(op, dy, o, shapes);
    return this.#twoSums(op, dy, aShape, dy, bShape, -1, shapes);
  }

  /** Gradients of mul: da = dy*b summed to a's shape, db = dy*a summed to b's shape. */
  async mulBackward(a: Tensor, b: Tensor, dy: Tensor): Promise<{ da: Float32Tensor; db: Float32Tensor }> {
    const op = 'mulBackward';
    const shapes = shapesOf({ a, b, dy });
    this.#require('mul', shapes);
    this.#require('sumToShape', shapes);
    checkTensor(op, 'a', a, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'b', b, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32' }, shapes);
    const out = checkBroadcast(op, 'b', a.shape, b.shape, shapes);
    checkShapeEq(op, 'dy', dy, out, shapes);
    const bc = (s: readonly number[]): BroadcastParams => ({ shape: out, aStrides: broadcastStrides(out, out), bStrides: broadcastStrides(s, out), size: sizeOf(out) });
    const ga = this.#out(await this.#run(op, () => this.backend.mul!(dy.dataId, b.dataId, bc(b.shape))), out);
    try {
      const gb = this.#out(await this.#run(op, () => this.backend.mul!(dy.dataId, a.dataId, bc(a.shape))), out);
      try {
        return await this.#twoSums(op, ga, [...a.shape], gb, [...b.shape], 1, shapes);
      } finally {
        gb.dispose();
      }
    } finally {
      ga.dispose();
    }
  }

  // ---- average and global pooling ---------------------------------------------------------
  #avgParams(op: string, shape: readonly number[], o: AvgPoolOptions, shapes: ShapeMap): AvgPool2dParams {
    const [N, C, H, W] = shape as [number, number, number, number];
    const kernel = checkKernel(op, o, shapes);
    for (const k of ['ceilMode', 'countIncludePad'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new ValidationError(op, k, 'a boolean', formatValue(o[k]), shapes);
    }
    const g = windowGeometry(op, H, W, { kernel, stride: o.stride ?? kernel, dilation: o.dilation, padding: o.padding, ceilMode: o.ceilMode }, shapes);
    return { ...g, N, C, countIncludePad: o.countIncludePad ?? false };
  }

  /** inputShape of a pooling backward: [N, C, H, W] of integers >= 1. */
  #inputShape(op: string, v: unknown, shapes: ShapeMap): [number, number, number, number] {
    if (!Array.isArray(v) || v.length !== 4 || v.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ValidationError(op, 'inputShape', '[N, C, H, W] of integers >= 1', formatValue(v), shapes);
    }
    shapes.inputShape = v;
    return [v[0], v[1], v[2], v[3]];
  }

  /**
   * Average pooling (ONNX AveragePool; CONVENTIONS.md): y = sum over the window's in-image
   * positions / divisor. countIncludePad false (default): the divisor counts the in-image
   * positions; true: those inside the explicit or 'same' padding too, never the ceil-mode overhang.
   * A window with no counted position gives NaN (0/0).
   */
  async avgpool2d(x: Tensor, o: AvgPoolOptions): Promise<Float32Tensor> {
    const op = 'avgpool2d';
    const shapes = shapesOf({ x });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, AVG_KEYS, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const p = this.#avgParams(op, x.shape, o, shapes);
    const shape = checkOutputSize(op, [p.N, p.C, p.outH, p.outW], shapes);
    const id = await this.#run(op, () => this.backend.avgpool2d!(x.dataId, p));
    return this.#out(id, shape);
  }

  /** dx [inputShape]: zero, then every output adds dy / divisor to its window's in-image positions. */
  async avgpool2dBackward(dy: Tensor, o: AvgPoolBackwardOptions): Promise<Float32Tensor> {
    const op = 'avgpool2dBackward';
    const shapes = shapesOf({ dy });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, AVG_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const inShape = this.#inputShape(op, o.inputShape, shapes);
    const p = this.#avgParams(op, inShape, o, shapes);
    checkShapeEq(op, 'dy', dy, [p.N, p.C, p.outH, p.outW], shapes);
    const shape = checkOutputSize(op, inShape, shapes);
    const id = await this.#run(op, () => this.backend.avgpool2dBackward!(dy.dataId, p));
    return this.#out(id, shape);
  }

  /** Mean over all of H x W (ONNX GlobalAveragePool): [N, C, H, W] -> [N, C, 1, 1]. */
  async globalAvgPool2d(x: Tensor): Promise<Float32Tensor> {
    const op = 'globalAvgPool2d';
    const shapes = shapesOf({ x });
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const p: GlobalPool2dParams = { N, C, H, W };
    const id = await this.#run(op, () => this.backend.globalAvgPool2d!(x.dataId, p));
    return this.#out(id, [N, C, 1, 1]);
  }

  /** dx [inputShape] = dy / (H*W) at every position; dy is [N, C, 1, 1]. */
  async globalAvgPool2dBackward(dy: Tensor, o: GlobalPoolBackwardOptions): Promise<Float32Tensor> {
    const op = 'globalAvgPool2dBackward';
    const shapes = shapesOf({ dy });
    this.#require(op, shapes);
    checkRequiredOptions(op, o, GLOBAL_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const [N, C, H, W] = this.#inputShape(op, o.inputShape, shapes);
    checkShapeEq(op, 'dy', dy, [N, C, 1, 1], shapes);
    const shape = checkOutputSize(op, [N, C, H, W], shapes);
    const id = await this.#run(op, () => this.backend.globalAvgPool2dBackward!(dy.dataId, { N, C, H, W }));
    return this.#out(id, shape);
  }

  // ---- 1-D and global max pooling, 1-D average pooling (composites over the 2-D kernels) ----
  /** NotImplementedError for composite `op` unless the backend has every kernel of its record, before any work. */
  #requireComposite(op: keyof typeof COMPOSITE_OPS, shapes: ShapeMap): void {
    this.#assertLive(op, shapes);
    for (const k of COMPOSITE_OPS[op].kernels as readonly OpName[]) {
      if (!this.backend.capabilities.has(k) || typeof (this.backend as any)[k] !== 'function') throw new NotImplementedError(op, this.backend.name);
    }
  }

  #ran(op: string): void {
    this.#lastRun = { op, backend: this.backend.name, engine: this.backend.engine };
  }

  /** The 2-D window options of a 1-D pool over [N, C, 1, L], its numbers validated under the 1-D op's name. */
  #pool1dAs2d(op: string, o: MaxPool1dOptions, shapes: ShapeMap): MaxPoolOptions {
    const kernel = checkPositiveInt(op, 'kernel', o.kernel, shapes);
    const stride = checkPositiveInt(op, 'stride', o.stride ?? kernel, shapes);
    const dilation = checkPositiveInt(op, 'dilation', o.dilation ?? 1, shapes);
    const pad = o.padding ?? 'same';
    let padding: Padding;
    if (pad === 'same' || pad === 'valid') padding = pad;
    else if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) padding = [0, 0, pad, pad];
    else if (Array.isArray(pad) && pad.length === 2 && pad.every((v) => Number.isInteger(v) && v >= 0)) padding = [0, 0, pad[0]!, pad[1]!];
    else throw new ValidationError(op, 'padding', "'same', 'valid', a non-negative integer or [left, right] of non-negative integers", formatValue(pad), shapes);
    if (o.ceilMode !== undefined && typeof o.ceilMode !== 'boolean') throw new ValidationError(op, 'ceilMode', 'a boolean', formatValue(o.ceilMode), shapes);
    return { kernel: [1, kernel], stride: [1, stride], dilation: [1, dilation], padding, ceilMode: o.ceilMode };
  }

  /** inputShape of a 1-D pooling backward: [N, C, L] of integers >= 1. */
  #inputShape1d(op: string, v: unknown, shapes: ShapeMap): [number, number, number] {
    if (!Array.isArray(v) || v.length !== 3 || v.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ValidationError(op, 'inputShape', '[N, C, L] of integers >= 1', formatValue(v), shapes);
    }
    shapes.inputShape = v;
    return [v[0], v[1], v[2]];
  }

  /** t [a, b, 1, l] (or any rank-4 with H = 1) as [a, b, l]; t is disposed. */
  #to3<D extends DType>(t: Tensor<D>): Tensor<D> {
    const t3 = t.reshape([t.shape[0]!, t.shape[1]!, t.shape[3]!]);
    t.dispose();
    return t3;
  }

  /**
   * 1-D max pooling (ONNX MaxPool on [N, C, L]): maxpool2d with H = 1, the same rules (strict >
   * scan, ties to the first maximum, a NaN wins). indices are flat into x: (n*C + c)*L + i.
   */
  async maxpool1d(x: Tensor, o: MaxPool1dOptions): Promise<{ y: Float32Tensor; indices: Int32Tensor }> {
    const op = 'maxpool1d';
    const shapes = shapesOf({ x });
    this.#requireComposite(op, shapes);
    checkRequiredOptions(op, o, POOL1D_KEYS, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const o2 = this.#pool1dAs2d(op, o, shapes);
    const x4 = x.reshape([x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]);
    try {
      const r = await this.maxpool2d(x4, o2);
      this.#ran(op);
      return { y: this.#to3(r.y), indices: this.#to3(r.indices) };
    } finally {
      x4.dispose();
    }
  }

  /** dx [inputShape = N, C, L]: zero, then dx[indices[o]] += dy[o] (maxpool2dBackward with H = 1, the same index checks). */
  async maxpool1dBackward(dy: Tensor, indices: Tensor, o: MaxPool1dBackwardOptions): Promise<Float32Tensor> {
    const op = 'maxpool1dBackward';
    const shapes = shapesOf({ dy, indices });
    this.#requireComposite(op, shapes);
    checkRequiredOptions(op, o, POOL1D_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    checkTensor(op, 'indices', indices, this.backend, { dtype: 'int32', rank: 3 }, shapes);
    const [N, C, L] = this.#inputShape1d(op, o.inputShape, shapes);
    const o2 = this.#pool1dAs2d(op, o, shapes);
    const dy4 = dy.reshape([dy.shape[0]!, dy.shape[1]!, 1, dy.shape[2]!]);
    const i4 = indices.reshape([indices.shape[0]!, indices.shape[1]!, 1, indices.shape[2]!]);
    try {
      const dx = await this.maxpool2dBackward(dy4, i4, { ...o2, inputShape: [N, C, 1, L] });
      this.#ran(op);
      return this.#to3(dx);
    } finally {
      dy4.dispose();
      i4.dispose();
    }
  }

  /** 1-D average pooling (ONNX AveragePool on [N, C, L]): avgpool2d with H = 1, the same divisor rules. */
  async avgpool1d(x: Tensor, o: AvgPool1dOptions): Promise<Float32Tensor> {
    const op = 'avgpool1d';
    const shapes = shapesOf({ x });
    this.#requireComposite(op, shapes);
    checkRequiredOptions(op, o, AVG1D_KEYS, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const o2 = this.#avg1dAs2d(op, o, shapes);
    const x4 = x.reshape([x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]);
    try {
      const y = await this.avgpool2d(x4, o2);
      this.#ran(op);
      return this.#to3(y);
    } finally {
      x4.dispose();
    }
  }

  /** dx [inputShape = N, C, L] of avgpool1d. */
  async avgpool1dBackward(dy: Tensor, o: AvgPool1dBackwardOptions): Promise<Float32Tensor> {
    const op = 'avgpool1dBackward';
    const shapes = shapesOf({ dy });
    this.#requireComposite(op, shapes);
    checkRequiredOptions(op, o, AVG1D_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 3 }, shapes);
    const [N, C, L] = this.#inputShape1d(op, o.inputShape, shapes);
    const o2 = this.#avg1dAs2d(op, o, shapes);
    const dy4 = dy.reshape([dy.shape[0]!, dy.shape[1]!, 1, dy.shape[2]!]);
    try {
      const dx = await this.avgpool2dBackward(dy4, { ...o2, inputShape: [N, C, 1, L] });
      this.#ran(op);
      return this.#to3(dx);
    } finally {
      dy4.dispose();
    }
  }

  #avg1dAs2d(op: string, o: AvgPool1dOptions, shapes: ShapeMap): AvgPoolOptions {
    if (o.countIncludePad !== undefined && typeof o.countIncludePad !== 'boolean') {
      throw new ValidationError(op, 'countIncludePad', 'a boolean', formatValue(o.countIncludePad), shapes);
    }
    return { ...this.#pool1dAs2d(op, o, shapes), countIncludePad: o.countIncludePad };
  }

  /**
   * Max over all of H x W (ONNX GlobalMaxPool): y and int32 indices [N, C, 1, 1], flat into x;
   * maxpool2d with the whole plane as its window, so maxpool's rules (strict > row-major scan,
   * ties to the first maximum, a NaN wins: the last NaN's index).
   */
  async globalMaxPool2d(x: Tensor): Promise<{ y: Float32Tensor; indices: Int32Tensor }> {
    const op = 'globalMaxPool2d';
    const shapes = shapesOf({ x });
    this.#requireComposite(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    const [H, W] = [x.shape[2]!, x.shape[3]!];
    const r = await this.maxpool2d(x, { kernel: [H, W], stride: [H, W], padding: 'valid' });
    this.#ran(op);
    return r;
  }

  /** dx [inputShape]: zero, then dx[indices[n, c]] += dy[n, c]; dy and indices are [N, C, 1, 1]. */
  async globalMaxPool2dBackward(dy: Tensor, indices: Tensor, o: GlobalPoolBackwardOptions): Promise<Float32Tensor> {
    const op = 'globalMaxPool2dBackward';
    const shapes = shapesOf({ dy, indices });
    this.#requireComposite(op, shapes);
    checkRequiredOptions(op, o, GLOBAL_BACKWARD_KEYS, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 4 }, shapes);
    checkTensor(op, 'indices', indices, this.backend, { dtype: 'int32', rank: 4 }, shapes);
    const [N, C, H, W] = this.#inputShape(op, o.inputShape, shapes);
    checkShapeEq(op, 'dy', dy, [N, C, 1, 1], shapes);
    checkShapeEq(op, 'indices', indices, [N, C, 1, 1], shapes);
    const dx = await this.maxpool2dBackward(dy, indices, { kernel: [H, W], stride: [H, W], padding: 'valid', inputShape: [N, C, H, W] });
    this.#ran(op);
    return dx;
  }

  // ---- softmax / log-softmax on an axis --------------------------------------------------
  #axisParams(op: string, x: Tensor, o: SoftmaxOptions | undefined, shapes: ShapeMap): AxisParams {
    if (x.rank < 1) throw new ValidationError(op, 'x', 'rank >= 1 (an axis to normalize along)', 'rank 0 []', shapes);
    const axis = checkAxis(op, o?.axis ?? -1, x.rank, shapes);
    return axisSplit(x.shape, axis);
  }

  async #axisForward(op: 'softmax' | 'logSoftmax', x: Tensor, o: SoftmaxOptions | undefined): Promise<Float32Tensor> {
    const shapes = shapesOf({ x });
    checkOptions(op, o, SOFTMAX_KEYS, shapes);
    this.#require(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32' }, shapes);
    const p = this.#axisParams(op, x, o, shapes);
    const id = await this.#run(op, () => this.backend[op]!(x.dataId, p));
    return this.#out(id, x.shape);
  }

  async #axisBackward(op: 'softmaxBackward' | 'logSoftmaxBackward', y: Tensor, dy: Tensor, o: SoftmaxOptions | undefined): Promise<Float32Tensor> {
    const shapes = shapesOf({ y, dy });
    checkOptions(op, o, SOFTMAX_KEYS, shapes);
    this.#require(op, shapes);
    checkTensor(op, 'y', y, this.backend, { dtype: 'float32' }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32' }, shapes);
    checkShapeEq(op, 'dy', dy, y.shape, shapes);
    const p = this.#axisParams(op, y, o, shapes);
    const id = await this.#run(op, () => this.backend[op]!(y.dataId, dy.dataId, p));
    return this.#out(id, y.shape);
  }

  /** y = exp(x - max)/sum(exp(x - max)) along `axis` (default -1; ONNX Softmax-13). NaN in a slice makes it NaN. */
  softmax(x: Tensor, o?: SoftmaxOptions): Promise<Float32Tensor> {
    return this.#axisForward('softmax', x, o);
  }

  /** dx = y * (dy - sum(dy * y)) along `axis`, from softmax's output y. */
  softmaxBackward(y: Tensor, dy: Tensor, o?: SoftmaxOptions): Promise<Float32Tensor> {
    return this.#axisBackward('softmaxBackward', y, dy, o);
  }

  /** y = x - max - log(sum(exp(x - max))) along `axis` (default -1; ONNX LogSoftmax-13). */
  logSoftmax(x: Tensor, o?: SoftmaxOptions): Promise<Float32Tensor> {
    return this.#axisForward('logSoftmax', x, o);
  }

  /** dx = dy - exp(y) * sum(dy) along `axis`, from logSoftmax's output y. */
  logSoftmaxBackward(y: Tensor, dy: Tensor, o?: SoftmaxOptions): Promise<Float32Tensor> {
    return this.#axisBackward('logSoftmaxBackward', y, dy, o);
  }

  // ---- dense (composed from gemm on the same backend) -------------------------------------
  /** y = x w + b: x [n, in], w [in, out], b [out]. */
  async dense(x: Tensor, w: Tensor, b?: Tensor | null): Promise<Float32Tensor> {
    const y = await this.gemm(x, w, { bias: b ?? null });
    this.#lastRun = { op: 'dense', backend: this.backend.name, engine: this.backend.engine };
    return y;
  }

  /** dx = dy w^T, dw = x^T dy, db = column sums of dy. */
  async denseBackward(x: Tensor, w: Tensor, dy: Tensor): Promise<{ dx: Float32Tensor; dw: Float32Tensor; db: Float32Tensor }> {
    const op = 'denseBackward';
    const shapes = shapesOf({ x, w, dy });
    this.#assertLive(op, shapes);
    checkTensor(op, 'x', x, this.backend, { dtype: 'float32', rank: 2 }, shapes);
    checkTensor(op, 'w', w, this.backend, { dtype: 'float32', rank: 2 }, shapes);
    checkTensor(op, 'dy', dy, this.backend, { dtype: 'float32', rank: 2 }, shapes);
    if (w.shape[0] !== x.shape[1]) {
      throw new ValidationError(op, 'w', `[${x.shape[1]}, out] for x of ${x.shape[1]} features`, `[${w.shape.join(', ')}]`, shapes);
    }
    checkShapeEq(op, 'dy', dy, [x.shape[0]!, w.shape[1]!], shapes);
    const ones = this.tensor(new Float32Array(x.shape[0]!).fill(1), [1, x.shape[0]!]);
    try {
      const dx = await this.gemm(dy, w, { transB: true });
      const dw = await this.gemm(x, dy, { transA: true });
      const db2 = await this.gemm(ones, dy);
      const db = db2.reshape([w.shape[1]!]);
      db2.dispose();
      this.#lastRun = { op, backend: this.backend.name, engine: this.backend.engine };
      return { dx, dw, db };
    } finally {
      ones.dispose();
    }
  }
}

/**
 * Creates a context on the named backend, on the best available one ('auto'), or on the first of
 * an ordered preference list that really starts; `ctx.selection` says how it was picked.
 */
export async function createContext<B extends BackendName = BackendName>(
  opts: ContextOptions<B> | 'auto' | B | readonly BackendPreference[] = {},
): Promise<Context> {
  const o = (typeof opts === 'string' || Array.isArray(opts) ? { backend: opts } : opts) as ContextOptions;
  checkOptions('createContext', o, CONTEXT_KEYS);
  const reg = o.registry ?? defaultRegistry;
  const { backend, selection } = await reg.select(o.backend ?? 'auto', o.backendOptions as never);
  return new Context(backend, selection);
}

/** The geometry that makes maxpool indices valid for a backward pass. */
function poolKey(p: MaxPool2dParams): string {
  return [p.N, p.C, p.inH, p.inW, p.outH, p.outW, p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft].join(',');
}

/** shape argument of tensor() / zeros(): integers >= 1 (empty tensors are not supported). */
function checkShapeArg(op: string, shape: unknown, shapes: ShapeMap): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValidationError(op, 'shape', 'an array of integers >= 1', formatValue(shape), shapes);
  }
  if (shape.some((d) => d === 0)) {
    throw new ValidationError(
      op,
      'shape',
      'every dimension >= 1: empty tensors (a 0 in any dimension, e.g. an empty batch N = 0) are not supported',
      formatValue(shape),
      shapes,
    );
  }
}

/** The options object of an op that needs one (a kernel size, lr): present, a plain object, known keys. */
function checkRequiredOptions(op: string, o: unknown, known: readonly string[], shapes: ShapeMap): void {
  if (o === undefined || o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new ValidationError(op, 'options', `an options object with ${known.join(', ')}`, formatValue(o), shapes);
  }
  checkOptions(op, o, known, shapes);
}

/** `kernel` of a window option: an integer >= 1 or [kH, kW]; the error prints what was passed. */
function checkKernel(op: string, o: { kernel?: Pair }, shapes: ShapeMap): [number, number] {
  if (o.kernel === undefined) {
    throw new ValidationError(op, 'kernel', 'a kernel size (an integer >= 1 or [kH, kW])', 'undefined', shapes);
  }
  return checkPair(op, 'kernel', o.kernel, shapes, undefined);
}
