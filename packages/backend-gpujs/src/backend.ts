import {
  OP_NAMES,
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
  type SgdParams,
  type SoftmaxXentParams,
} from '@convkit/core';
import { Device } from './device.js';
import { Engine } from './engine.js';
import type { GpujsMode } from './platform.js';
import type { AdapterReport, GpuLike } from './webgpu-node.js';
import { col2im } from './ops/col2im.js';
import { conv2d, type ConvAlgorithm } from './ops/conv2d.js';
import { conv2dBackward } from './ops/conv2d_backward.js';
import { gemm } from './ops/gemm.js';
import { im2col } from './ops/im2col.js';
import { maxpool2d } from './ops/maxpool2d.js';
import { maxpool2dBackward } from './ops/maxpool2d_backward.js';
import { relu } from './ops/relu.js';
import { reluBackward } from './ops/relu_backward.js';
import { sgd } from './ops/sgd.js';
import { softmaxCrossEntropy } from './ops/softmax_xent.js';
import { softmaxCrossEntropyBackward } from './ops/softmax_xent_backward.js';

export interface GpujsBackendOptions {
  /** gpu.js mode to run on; 'auto' (default) picks the best available (GPU modes first, hardware before software). */
  mode?: GpujsMode | 'auto';
  /** Accept gpu.js's silent CPU fallback (engine then reports 'cpu'); default false = error. */
  allowCpuFallback?: boolean;
  /** Convolution algorithm: 'auto' (default), 'direct' or 'im2col' (im2col -> GEMM on the device). */
  convAlgorithm?: ConvAlgorithm;
  /**
   * webgpu: run the WGSL kernels of src/webgpu (tiled GEMM, implicit-GEMM convolution, one-pass
   * maxpool, writeBuffer uploads, one-copy reads) where they apply (default true); false runs the
   * gpu.js-language kernels only, as before (for comparison). Ignored on the other modes.
   */
  wgsl?: boolean;
  /**
   * webgpu: a `navigator.gpu`-like object to acquire the device from (e.g. `create([])` of the
   * `webgpu` package with your own Dawn flags). Default: `navigator.gpu` where it exists, else
   * (Node) the optional `webgpu` package. Used only while the device is acquired; nothing global
   * is left behind.
   */
  gpu?: GpuLike;
}

/**
 * The gpu.js backend. Every op is one or more gpu.js kernels whose outputs stay on the device
 * (pipeline textures / WebGPU buffers / wasm arrays); data comes back only through read().
 */
export class GpujsBackend implements KernelBackend {
  readonly name = 'gpujs';
  readonly capabilities: ReadonlySet<OpName> = new Set(OP_NAMES);
  /** f32 arithmetic on every engine (CONVENTIONS.md: a 32-bit float path meets 1e-4 on unit-scale data). */
  readonly precision: Precision = { atol: 1e-4, rtol: 1e-4 };
  readonly #e: Engine;
  readonly #d: Device;
  readonly #algo: ConvAlgorithm;
  readSync?: (id: DataId) => Float32Array | Int32Array;

  private constructor(engine: Engine, algo: ConvAlgorithm) {
    this.#e = engine;
    this.#d = new Device(engine);
    this.#algo = algo;
    if (engine.canReadSync) this.readSync = (id: DataId) => this.#d.readSync(id);
  }

  static async create(o: GpujsBackendOptions = {}): Promise<GpujsBackend> {
    const algo = o.convAlgorithm ?? 'auto';
    if (!['auto', 'direct', 'im2col'].includes(algo)) throw new Error(`gpujs: unknown convAlgorithm '${algo}'`);
    if (o.gpu !== undefined && (o.gpu === null || typeof (o.gpu as GpuLike).requestAdapter !== 'function')) {
      throw new Error("gpujs: the 'gpu' option must be a navigator.gpu-like object with requestAdapter()");
    }
    const engine = await Engine.create({ mode: o.mode, allowCpuFallback: o.allowCpuFallback, gpu: o.gpu });
    engine.wgslKernels = o.wgsl ?? true;
    return new GpujsBackend(engine, algo);
  }

  /** The engine that really executed: 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu' | 'webasm', or 'cpu' after an allowed fallback. */
  get engine(): string {
    return this.#e.engine;
  }

  /** The mode this backend was created on. */
  get mode(): GpujsMode {
    return this.#e.mode;
  }

  /** GL renderer / WebGPU adapter description, and whether it is a software renderer. */
  get renderer(): { renderer: string; software: boolean } {
    return { renderer: this.#e.renderer, software: this.#e.software };
  }

  /**
   * webgpu: the adapter the device came from (vendor, architecture, device, description, driver
   * where the binding has one, isFallbackAdapter, software, and where the GPU object came from:
   * 'option' | 'navigator' | 'webgpu-package'); null on the GL and wasm modes.
   */
  get adapter(): AdapterReport | null {
    return this.#e.adapter ? { ...this.#e.adapter } : null;
  }

  /**
   * Test hook: loses the GL context (WEBGL_lose_context in browsers, STACKGL_destroy_context in
   * headless-gl) or destroys the WebGPU device. Every later op or read of device data throws
   * GpuContextLostError. (A real loss is detected the same way: isContextLost() / the device's
   * lost promise, checked before and after every kernel and readback.)
   */
  loseContextForTesting(): void {
    if (this.#e.mode === 'webgpu') {
      // destroys gpu.js's shared device: every webgpu backend of this page loses it (gpu.js
      // acquires a fresh device for backends created afterwards)
      if (!this.#e.wgpu) throw new Error('gpujs: no WebGPU device to lose');
      this.#e.wgpu.device.destroy();
      this.#e.markLost();
      return;
    }
    const gl = this.#e.gl;
    if (!gl) throw new Error(`gpujs: '${this.#e.mode}' has no GL context to lose`);
    const lose = gl.getExtension('WEBGL_lose_context');
    if (lose) {
      lose.loseContext();
      return;
    }
    const destroy = gl.getExtension('STACKGL_destroy_context');
    if (!destroy) throw new Error('gpujs: this GL context has neither WEBGL_lose_context nor STACKGL_destroy_context');
    destroy.destroy();
    this.#e.markLost();
  }

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    return this.#d.write(values, dtype);
  }
  zeros(size: number, dtype: DType): DataId {
    return this.#d.zeros(size, dtype);
  }
  read(id: DataId): Promise<Float32Array | Int32Array> {
    return this.#d.read(id);
  }
  disposeData(id: DataId): void {
    this.#d.dispose(id);
  }
  memory(): BackendMemory {
    const m = this.#e.memory();
    const kind = this.#e.isGl ? 'textures' : 'buffers';
    const { handles, ...counters } = m;
    return { dataIds: this.#d.liveData, [kind]: handles, ...counters };
  }
  dispose(): Promise<void> {
    return this.#e.dispose();
  }

  gemm(a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): Promise<DataId> {
    return gemm(this.#d, a, b, c, bias, p);
  }
  im2col(x: DataId, p: Im2colParams): Promise<DataId> {
    return im2col(this.#d, x, p);
  }
  col2im(cols: DataId, p: Im2colParams): Promise<DataId> {
    return col2im(this.#d, cols, p);
  }
  conv2d(x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): Promise<DataId> {
    return conv2d(this.#d, x, w, bias, p, this.#algo);
  }
  conv2dBackward(x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants): Promise<Conv2dBackwardResult> {
    return conv2dBackward(this.#d, x, w, dy, p, wants, this.#algo);
  }
  maxpool2d(x: DataId, p: MaxPool2dParams): Promise<{ y: DataId; indices: DataId }> {
    return maxpool2d(this.#d, x, p);
  }
  maxpool2dBackward(dy: DataId, indices: DataId, p: MaxPool2dParams): Promise<DataId> {
    return maxpool2dBackward(this.#d, dy, indices, p);
  }
  sgd(w: DataId, g: DataId, v: DataId, p: SgdParams): Promise<void> {
    return sgd(this.#d, w, g, v, p);
  }
  relu(x: DataId, size: number): Promise<DataId> {
    return relu(this.#d, x, size);
  }
  reluBackward(x: DataId, dy: DataId, size: number): Promise<DataId> {
    return reluBackward(this.#d, x, dy, size);
  }
  softmaxCrossEntropy(logits: DataId, labels: DataId, p: SoftmaxXentParams): Promise<{ loss: DataId; probs: DataId }> {
    return softmaxCrossEntropy(this.#d, logits, labels, p);
  }
  softmaxCrossEntropyBackward(probs: DataId, labels: DataId, p: SoftmaxXentParams): Promise<DataId> {
    return softmaxCrossEntropyBackward(this.#d, probs, labels, p);
  }
}
