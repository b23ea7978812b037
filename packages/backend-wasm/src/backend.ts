import {
  OP_NAMES,
  registry as defaultRegistry,
  type BackendDescriptor,
  type BackendMemory,
  type Conv2dBackwardResult,
  type Conv2dBackwardWants,
  type Conv2dParams,
  type DataId,
  type DType,
  type GemmParams,
  type Im2colParams,
  type KernelBackend,
  type MaxPool2dParams,
  type OpName,
  type Precision,
  type Registry,
  type SgdParams,
  type SoftmaxXentParams,
} from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
import { instantiateKernels, simdUnavailableReason, type WasmKernels } from '@convkit/wasm-kernels';
import { WasmRuntime } from './context.js';
import { gemm } from './ops/gemm.js';
import { im2col } from './ops/im2col.js';
import { col2im } from './ops/col2im.js';
import { conv2d } from './ops/conv2d.js';
import { conv2dBackward } from './ops/conv2d_backward.js';
import { maxpool2d } from './ops/maxpool2d.js';
import { maxpool2dBackward } from './ops/maxpool2d_backward.js';
import { sgd } from './ops/sgd.js';
import { relu } from './ops/relu.js';
import { reluBackward } from './ops/relu_backward.js';
import { softmaxCrossEntropy } from './ops/softmax_xent.js';
import { softmaxCrossEntropyBackward } from './ops/softmax_xent_backward.js';

/**
 * float32 storage and float32 accumulation in the SIMD GEMM (depth blocks of <= 256 summed into C):
 * atol = rtol = 1e-4 on unit-scale data, to be scaled by the reduction length for long sums
 * (CONVENTIONS.md "Tolerances"; the conformance rule does that scaling).
 */
export const WASM_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/** Ops computed by the WebAssembly SIMD kernels; the rest run the js raw kernels on views of the same wasm memory. */
export const WASM_NATIVE_OPS: readonly OpName[] = ['gemm', 'im2col', 'col2im', 'conv2d', 'conv2dBackward', 'maxpool2d', 'maxpool2dBackward'];

export interface WasmBackendOptions {
  /** Use this memory (e.g. a shared one a worker pool also uses). Default: a new non-shared memory. */
  memory?: WebAssembly.Memory;
  /** Testing: behave as if WebAssembly SIMD were unavailable (the js fallback). */
  forceFallback?: boolean;
  /** An already instantiated kernels instance (its memory is used; `memory` is then ignored). */
  kernels?: WasmKernels;
}

declare module '@convkit/core' {
  interface BackendOptionsMap {
    wasm: WasmBackendOptions;
  }
}

/** The single-thread WebAssembly SIMD backend. Every tensor lives in one WebAssembly.Memory. */
export class WasmBackend implements KernelBackend {
  readonly name = 'wasm';
  readonly engine = 'wasm-simd';
  readonly capabilities: ReadonlySet<OpName> = new Set(OP_NAMES);
  readonly precision: Precision = WASM_PRECISION;
  readonly nativeOps: ReadonlySet<OpName> = new Set(WASM_NATIVE_OPS);
  readonly #r: WasmRuntime;

  constructor(options: WasmBackendOptions = {}) {
    this.#r = new WasmRuntime(options.memory, options.kernels);
  }

  /** The kernels' memory (for zero-copy interop). */
  get wasmMemory(): WebAssembly.Memory {
    return this.#r.k.memory;
  }

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    const d = this.#r.s.alloc(values.length, dtype);
    this.#r.s.view(d).set(values as never);
    return d;
  }

  zeros(size: number, dtype: DType): DataId {
    const d = this.#r.s.alloc(size, dtype);
    this.#r.s.view(d).fill(0);
    return d;
  }

  read(id: DataId): Promise<Float32Array | Int32Array> {
    try {
      return Promise.resolve(this.readSync(id));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readSync(id: DataId): Float32Array | Int32Array {
    // a copy out of wasm memory: the typed-array constructor copies same-type data bit for bit and
    // measured ~35% less CPU than .slice() for 2 MB (Node 20: 101-120 vs 137-186 us)
    const v = this.#r.s.view(id);
    return v instanceof Int32Array ? new Int32Array(v) : new Float32Array(v);
  }

  disposeData(id: DataId): void {
    this.#r.s.free(id);
  }

  memory(): BackendMemory {
    return {
      dataIds: this.#r.s.count,
      bytes: this.#r.s.bytes,
      workspaceBytes: this.#r.workspaceBytes,
      wasmMemoryBytes: this.#r.heap.memoryBytes,
    };
  }

  dispose(): void {
    this.#r.dispose();
  }

  gemm(a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
    return gemm(this.#r, a, b, c, bias, p);
  }
  im2col(x: DataId, p: Im2colParams): DataId {
    return im2col(this.#r, x, p);
  }
  col2im(cols: DataId, p: Im2colParams): DataId {
    return col2im(this.#r, cols, p);
  }
  conv2d(x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
    return conv2d(this.#r, x, w, bias, p);
  }
  conv2dBackward(x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants): Conv2dBackwardResult {
    return conv2dBackward(this.#r, x, w, dy, p, wants);
  }
  maxpool2d(x: DataId, p: MaxPool2dParams): { y: DataId; indices: DataId } {
    return maxpool2d(this.#r, x, p);
  }
  maxpool2dBackward(dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
    return maxpool2dBackward(this.#r, dy, indices, p);
  }
  sgd(w: DataId, g: DataId, v: DataId, p: SgdParams): void {
    sgd(this.#r, w, g, v, p);
  }
  relu(x: DataId, size: number): DataId {
    return relu(this.#r, x, size);
  }
  reluBackward(x: DataId, dy: DataId, size: number): DataId {
    return reluBackward(this.#r, x, dy, size);
  }
  softmaxCrossEntropy(logits: DataId, labels: DataId, p: SoftmaxXentParams): { loss: DataId; probs: DataId } {
    return softmaxCrossEntropy(this.#r, logits, labels, p);
  }
  softmaxCrossEntropyBackward(probs: DataId, labels: DataId, p: SoftmaxXentParams): DataId {
    return softmaxCrossEntropyBackward(this.#r, probs, labels, p);
  }
}

/** The backend 'wasm' falls back to when WebAssembly SIMD is unavailable: the js kernels, engine 'js', with the reason. */
export interface WasmFallbackBackend extends KernelBackend {
  readonly name: 'wasm';
  readonly engine: 'js';
  /** Why the SIMD kernels are not used. */
  readonly fallbackReason: string;
}

function fallback(reason: string): WasmFallbackBackend {
  const js = createJsBackend();
  const out: Record<string, unknown> = {
    name: 'wasm',
    engine: 'js',
    fallbackReason: reason,
    capabilities: js.capabilities,
    precision: js.precision,
  };
  const methods = [
    'write', 'zeros', 'read', 'readSync', 'disposeData', 'memory', 'dispose',
    'gemm', 'im2col', 'col2im', 'conv2d', 'conv2dBackward', 'maxpool2d', 'maxpool2dBackward',
    'sgd', 'relu', 'reluBackward', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackward',
  ] as const;
  for (const m of methods) out[m] = (js[m] as (...a: unknown[]) => unknown).bind(js);
  return out as unknown as WasmFallbackBackend;
}

/**
 * The 'wasm' backend: SIMD kernels when WebAssembly 128-bit SIMD validates here, otherwise the js
 * kernels with engine 'js' and `fallbackReason` (never a silent fallback: check `engine`).
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend | WasmFallbackBackend {
  const reason = options.forceFallback ? 'forced by options.forceFallback' : simdUnavailableReason();
  if (reason !== null) return fallback(`WebAssembly SIMD unavailable (${reason}); using the js kernels`);
  return new WasmBackend(options);
}

/**
 * Async form (what the registry descriptor uses): compiles and instantiates the module with the
 * async WebAssembly API, which a browser main thread requires for modules over 4 KB.
 */
export async function createWasmBackendAsync(options: WasmBackendOptions = {}): Promise<WasmBackend | WasmFallbackBackend> {
  const reason = options.forceFallback ? 'forced by options.forceFallback' : simdUnavailableReason();
  if (reason !== null) return createWasmBackend(options);
  const kernels = options.kernels ?? (await instantiateKernels(options.memory));
  return new WasmBackend({ ...options, kernels });
}

/** Registry descriptor: priority 25 with SIMD (above js 10 and workers 20, below gpujs 30), 5 without. */
export const wasmBackend: BackendDescriptor<WasmBackendOptions> = {
  name: 'wasm',
  priority: 25,
  optionKeys: Object.keys({ memory: true, forceFallback: true, kernels: true } satisfies Record<keyof WasmBackendOptions, true>) as (keyof WasmBackendOptions)[],
  probe: () => {
    const reason = simdUnavailableReason();
    return reason === null
      ? { available: true, reason: 'wasm-simd: 128-bit WebAssembly SIMD kernels, one thread' }
      : { available: true, priority: 5, reason: `js fallback: ${reason}` };
  },
  create: (options) => createWasmBackendAsync(options),
};

/** Registers the wasm backend on `registry` (default: core's process-wide registry). */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(wasmBackend);
}
