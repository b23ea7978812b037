import {
  OP_NAMES,
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
import { Storage } from './storage.js';
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

/** float64 accumulation, float32 storage: the float32 contract of CONVENTIONS.md. */
export const NAIVE_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/** Every op of the interface as plain loops: slow, short, and easy to check. */
export class NaiveBackend implements KernelBackend {
  readonly name = 'naive';
  readonly engine = 'js';
  readonly capabilities: ReadonlySet<OpName> = new Set(OP_NAMES);
  readonly precision = NAIVE_PRECISION;
  readonly #s = new Storage();

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    return this.#s.adopt(dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values), dtype);
  }
  zeros(size: number, dtype: DType): DataId {
    return dtype === 'int32' ? this.#s.i32(size) : this.#s.f32(size);
  }
  async read(id: DataId): Promise<Float32Array | Int32Array> {
    return this.readSync(id);
  }
  readSync(id: DataId): Float32Array | Int32Array {
    return this.#s.get(id).values.slice();
  }
  disposeData(id: DataId): void {
    this.#s.free(id);
  }
  memory(): BackendMemory {
    return { dataIds: this.#s.count, bytes: this.#s.bytes };
  }
  dispose(): void {
    this.#s.clear();
  }

  gemm(a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
    return gemm(this.#s, a, b, c, bias, p);
  }
  im2col(x: DataId, p: Im2colParams): DataId {
    return im2col(this.#s, x, p);
  }
  col2im(cols: DataId, p: Im2colParams): DataId {
    return col2im(this.#s, cols, p);
  }
  conv2d(x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
    return conv2d(this.#s, x, w, bias, p);
  }
  conv2dBackward(x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants): Conv2dBackwardResult {
    return conv2dBackward(this.#s, x, w, dy, p, wants);
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

/** Registry descriptor. Priority 1: never chosen by 'auto' over the project's own backends. */
declare module '@convkit/core' {
  interface BackendOptionsMap {
    /** the naive backend takes no options */
    naive: Record<string, never>;
  }
}

export const naiveBackend: BackendDescriptor = {
  name: 'naive',
  priority: 1,
  optionKeys: [],
  probe: () => ({ available: true, reason: 'plain loops, any ES2022 runtime' }),
  create: () => new NaiveBackend(),
};

/** Adds the naive backend to a registry. */
export function register(registry: Registry): Registry {
  return registry.register(naiveBackend);
}
