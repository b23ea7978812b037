import { defineBackend, type Precision } from '@convkit/core';
import { Engine } from './engine.js';
import { gpujsKernels } from './kernels.js';
import type { GpujsMode } from './platform.js';
import { GpujsRuntime } from './runtime.js';
import type { AdapterReport, GpuLike } from './webgpu-node.js';
import type { ConvAlgorithm } from './ops/conv2d.js';

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

/** f32 arithmetic on every engine (CONVENTIONS.md: a 32-bit float path meets 1e-4 on unit-scale data). */
const GPUJS_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

const CONV_ALGORITHMS: readonly ConvAlgorithm[] = ['auto', 'direct', 'im2col'];

/**
 * Test hook: loses the GL context (WEBGL_lose_context in browsers, STACKGL_destroy_context in
 * headless-gl) or destroys the WebGPU device.
 */
function loseContext(e: Engine): void {
  if (e.mode === 'webgpu') {
    // destroys gpu.js's shared device: every webgpu backend of this page loses it (gpu.js
    // acquires a fresh device for backends created afterwards)
    if (!e.wgpu) throw new Error('gpujs: no WebGPU device to lose');
    e.wgpu.device.destroy();
    e.markLost();
    return;
  }
  const gl = e.gl;
  if (!gl) throw new Error(`gpujs: '${e.mode}' has no GL context to lose`);
  const lose = gl.getExtension('WEBGL_lose_context');
  if (lose) {
    lose.loseContext();
    return;
  }
  const destroy = gl.getExtension('STACKGL_destroy_context');
  if (!destroy) throw new Error('gpujs: this GL context has neither WEBGL_lose_context nor STACKGL_destroy_context');
  destroy.destroy();
  e.markLost();
}

/**
 * The gpu.js backend: the kernels of ./kernels.ts on a GpujsRuntime. Every op is one or more gpu.js
 * (or, on webgpu, WGSL) kernels whose outputs stay on the device (pipeline textures / WebGPU
 * buffers / wasm arrays); data comes back only through read(). Bad options are refused before any
 * context is created.
 */
export async function createGpujsBackend(o: GpujsBackendOptions = {}) {
  const algo = o.convAlgorithm ?? 'auto';
  if (!CONV_ALGORITHMS.includes(algo)) throw new Error(`gpujs: unknown convAlgorithm '${algo}'`);
  if (o.gpu !== undefined && (o.gpu === null || typeof (o.gpu as GpuLike).requestAdapter !== 'function')) {
    throw new Error("gpujs: the 'gpu' option must be a navigator.gpu-like object with requestAdapter()");
  }
  const engine = await Engine.create({ mode: o.mode, allowCpuFallback: o.allowCpuFallback, gpu: o.gpu });
  engine.wgslKernels = o.wgsl ?? true;
  const backend = defineBackend({
    name: 'gpujs',
    // The engine that really executed: 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu' | 'webasm', or
    // 'cpu' once gpu.js fell back to its CPU kernel (allowed by allowCpuFallback), so it is read live.
    engine: () => engine.engine,
    precision: GPUJS_PRECISION,
    runtime: new GpujsRuntime(engine, algo),
    kernels: gpujsKernels,
    extend: {
      /** The mode this backend was created on. */
      get mode(): GpujsMode {
        return engine.mode;
      },
      /** GL renderer / WebGPU adapter description, and whether it is a software renderer. */
      get renderer(): { renderer: string; software: boolean } {
        return { renderer: engine.renderer, software: engine.software };
      },
      /**
       * webgpu: the adapter the device came from (vendor, architecture, device, description, driver
       * where the binding has one, isFallbackAdapter, software, and where the GPU object came from:
       * 'option' | 'navigator' | 'webgpu-package'); null on the GL and wasm modes.
       */
      get adapter(): AdapterReport | null {
        return engine.adapter ? { ...engine.adapter } : null;
      },
      /**
       * Test hook: loses the GL context (WEBGL_lose_context in browsers, STACKGL_destroy_context in
       * headless-gl) or destroys the WebGPU device. Every later op or read of device data throws
       * GpuContextLostError. (A real loss is detected the same way: isContextLost() / the device's
       * lost promise, checked before and after every kernel and readback.)
       */
      loseContextForTesting(): void {
        loseContext(engine);
      },
    },
  });
  return backend;
}

/** The gpujs backend object (what createGpujsBackend resolves to). */
export type GpujsBackend = Awaited<ReturnType<typeof createGpujsBackend>>;
