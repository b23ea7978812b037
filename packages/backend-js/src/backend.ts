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
import { JsStorage } from './storage.js';
import { Scratch } from './kernels/scratch.js';
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
 * Float32 storage, float64 accumulation inside register tiles and reductions: meets
 * atol = rtol = 1e-4 on unit-scale data (CONVENTIONS.md, "Tolerances").
 */
export const JS_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/** The pure-TypeScript, single-thread backend. Every op of the interface, synchronous. */
export class JsBackend implements KernelBackend {
  readonly name = 'js';
  readonly engine = 'js';
  readonly capabilities: ReadonlySet<OpName> = new Set(OP_NAMES);
  readonly precision: Precision = JS_PRECISION;
  readonly #s = new JsStorage();
  /** Scratch reused by every kernel call (packed GEMM panels, im2col chunks). */
  readonly #scratch = new Scratch();

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    // a copy (set() converts when the element types differ); the array may be a recycled one
    const d = this.#s.alloc(values.length, dtype, false);
    d.values.set(values);
    return d;
  }

  zeros(size: number, dtype: DType): DataId {
    return this.#s.alloc(size, dtype);
  }

  read(id: DataId): Promise<Float32Array | Int32Array> {
    try {
      return Promise.resolve(this.readSync(id));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readSync(id: DataId): Float32Array | Int32Array {
    return this.#s.get(id).values.slice();
  }

  disposeData(id: DataId): void {
    this.#s.free(id);
  }

  memory(): BackendMemory {
    return { dataIds: this.#s.count, bytes: this.#s.bytes, scratchBytes: this.#scratch.bytes, pooledBytes: this.#s.pooledBytes };
  }

  dispose(): void {
    this.#s.clear();
    this.#scratch.clear();
  }

  gemm(a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
    return gemm(this.#s, this.#scratch, a, b, c, bias, p);
  }

  im2col(x: DataId, p: Im2colParams): DataId {
    return im2col(this.#s, x, p);
  }

  col2im(cols: DataId, p: Im2colParams): DataId {
    return col2im(this.#s, cols, p);
  }

  conv2d(x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
    return conv2d(this.#s, this.#scratch, x, w, bias, p);
  }

  conv2dBackward(x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants): Conv2dBackwardResult {
    return conv2dBackward(this.#s, this.#scratch, x, w, dy, p, wants);
  }

  maxpool2d(x: DataId, p: MaxPool2dParams): { y: DataId; indices: DataId } {
    return maxpool2d(this.#s, x, p);
  }

  maxpool2dBackward(dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
    return maxpool2dBackward(this.#s, dy, indices, p);
  }

  sgd(w: DataId, g: DataId, v: DataId, p: SgdParams): void {
    sgd(this.#s, w, g, v, p);
  }

  relu(x: DataId, size: number): DataId {
    return relu(this.#s, x, size);
  }

  reluBackward(x: DataId, dy: DataId, size: number): DataId {
    return reluBackward(this.#s, x, dy, size);
  }

  softmaxCrossEntropy(logits: DataId, labels: DataId, p: SoftmaxXentParams): { loss: DataId; probs: DataId } {
    return softmaxCrossEntropy(this.#s, logits, labels, p);
  }

  softmaxCrossEntropyBackward(probs: DataId, labels: DataId, p: SoftmaxXentParams): DataId {
    return softmaxCrossEntropyBackward(this.#s, probs, labels, p);
  }
}

declare module '@convkit/core' {
  interface BackendOptionsMap {
    /** the js backend takes no options */
    js: Record<string, never>;
  }
}

export function createJsBackend(): JsBackend {
  return new JsBackend();
}

/** Registry descriptor: priority 10, available everywhere. */
export const jsBackend: BackendDescriptor = {
  name: 'js',
  priority: 10,
  optionKeys: [],
  probe: () => ({ available: true, reason: 'pure TypeScript, one thread' }),
  create: () => createJsBackend(),
};

/** Registers the js backend on `registry` (default: core's process-wide registry) and returns it. */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(jsBackend);
}
