/**
 * One gpu.js instance bound to one context of one mode, the kernels compiled on it, and the
 * device handles (GL textures, WebGPU buffers, wasm-side arrays) they produce.
 *
 * Every kernel runs with `pipeline: true, immutable: true`: each call returns a NEW device handle
 * that stays on the device until `free()` deletes it, so chains of kernels never read back. The
 * engine counts live handles (memory()) and checks after every launch which gpu.js kernel class
 * really ran: gpu.js silently swaps in its CPU kernel when a GPU kernel fails to build, and that
 * is an error here unless the user allowed it.
 */
import { GPU, engineOfKernel } from './gpujs.js';
import {
  AUTO_ORDER,
  GPUJS_MODES,
  acquireWebGpu,
  createGlContext,
  destroyGl,
  glRenderer,
  isNode,
  probeMode,
  type GpujsMode,
} from './platform.js';
import { describeAdapter, type AdapterReport, type GpuLike } from './webgpu-node.js';
import { MAX_INDEXABLE } from './source.js';
import { WebGpuDevice, isBufferResult, handleSize, type Dispatch } from './webgpu/device.js';
import { newStats, type DeviceStats } from './webgpu/stats.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handle = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKernel = any;

export class GpuContextLostError extends Error {
  constructor(mode: string, when: string) {
    super(
      `gpujs: the ${mode} context was lost (${when}); every tensor on this backend is gone. ` +
        `Dispose this context and create a new one.`,
    );
    this.name = 'GpuContextLostError';
  }
}

export class CpuFallbackError extends Error {
  constructor(mode: string, what: string, reason?: string) {
    super(
      `gpujs: gpu.js fell back to its CPU kernel for ${what} instead of running on '${mode}'` +
        `${reason ? ` (${reason})` : ''}. This backend refuses a silent CPU fallback; ` +
        `pass { allowCpuFallback: true } to accept it (engine will then report 'cpu').`,
    );
    this.name = 'CpuFallbackError';
  }
}

export interface EngineOptions {
  mode?: GpujsMode | 'auto';
  allowCpuFallback?: boolean;
  /** webgpu: a navigator.gpu-like object (default: navigator.gpu, else the `webgpu` package in Node) */
  gpu?: GpuLike;
}

export interface EngineInfo {
  mode: GpujsMode;
  renderer: string;
  software: boolean;
}

export class Engine {
  readonly mode: GpujsMode;
  readonly renderer: string;
  readonly software: boolean;
  /** What really executed: the mode, or 'cpu' after an allowed fallback. */
  engine: string;
  readonly allowCpuFallback: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly gpu: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly gl: any;
  /** webgpu: gpu.js's shared device record; its isLost flag flips when the device is lost */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  wgpu: any = null;
  /** webgpu: the adapter the device came from (vendor, architecture, device, description, software) */
  adapter: AdapterReport | null = null;
  #kernels = new Map<string, AnyKernel>();
  #live = new Set<Handle>();
  #bytes = 0;
  #lost = false;
  #disposed = false;
  /** counters (launches, readbacks, readback copies, bytes, threads, outputs): see webgpu/stats.ts */
  readonly stats: DeviceStats = newStats();
  #wg: WebGpuDevice | null = null;
  /** webgpu: false runs the gpu.js-language kernels only (the option `wgsl: false`, for comparison) */
  wgslKernels = true;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private constructor(info: EngineInfo, gpu: any, gl: any, allowCpuFallback: boolean) {
    this.mode = info.mode;
    this.renderer = info.renderer;
    this.software = info.software;
    this.engine = info.mode;
    this.gpu = gpu;
    this.gl = gl;
    this.allowCpuFallback = allowCpuFallback;
  }

  static async create(o: EngineOptions = {}): Promise<Engine> {
    const want = o.mode ?? 'auto';
    if (want !== 'auto' && !GPUJS_MODES.includes(want)) {
      throw new Error(`gpujs: unknown mode '${String(want)}' (one of ${GPUJS_MODES.join(', ')}, 'auto')`);
    }
    let mode: GpujsMode;
    if (want === 'auto') {
      const probes = [];
      for (const m of AUTO_ORDER) probes.push(await probeMode(m, { gpu: o.gpu }));
      const ok = probes.filter((p) => p.available);
      const pick = ok.find((p) => !p.software) ?? ok[0];
      if (!pick) {
        throw new Error(`gpujs: no mode available here: ${probes.map((p) => `${p.mode}: ${p.reason}`).join('; ')}`);
      }
      mode = pick.mode;
    } else {
      mode = want;
    }
    const allow = !!o.allowCpuFallback;
    if (mode === 'headlessgl' || mode === 'webgl2' || mode === 'webgl') {
      if (mode === 'headlessgl' && !isNode) throw new Error('gpujs: headlessgl is Node-only');
      const c = await createGlContext(mode);
      if (!c.gl) throw new Error(`gpujs: mode '${mode}' is not available: ${c.reason}`);
      const r = await glRenderer(c.gl, mode);
      const gpu = new GPU({ mode, context: c.gl, canvas: c.canvas ?? undefined });
      return new Engine({ mode, renderer: r.renderer, software: r.software }, gpu, c.gl, allow);
    }
    if (mode === 'webgpu') {
      // the device every webgpu kernel of this process shares (gpu.js keeps one), acquired with a
      // scoped navigator.gpu (the user's `gpu`, navigator.gpu, or the `webgpu` package in Node)
      const a = await acquireWebGpu(o.gpu);
      if (!a.gpujs) throw new Error(`gpujs: mode 'webgpu' is not available: ${a.reason}`);
      const e = new Engine({ mode, renderer: describeAdapter(a.adapter!), software: a.adapter!.software }, a.gpujs, null, allow);
      e.wgpu = a.record;
      e.adapter = a.adapter!;
      return e;
    }
    if (!GPU.isWebAssemblySupported) throw new Error("gpujs: mode 'webasm' is not available: no WebAssembly SIMD here");
    const gpu = new GPU({ mode: 'webasm' });
    return new Engine({ mode, renderer: 'cpu (wasm)', software: true }, gpu, null, allow);
  }

  get isGl(): boolean {
    return this.mode === 'headlessgl' || this.mode === 'webgl2' || this.mode === 'webgl';
  }

  /** Throws if the GL context is gone (WEBGL_lose_context, STACKGL_destroy_context, driver reset). */
  checkAlive(when: string): void {
    if (this.#disposed) throw new Error('gpujs: this backend was disposed');
    if (this.#lost) throw new GpuContextLostError(this.mode, when);
    if (this.mode === 'webgpu' && this.wgpu?.isLost) {
      this.#lost = true;
      throw new GpuContextLostError(this.mode, when);
    }
    if (this.isGl) {
      let lost = false;
      try {
        lost = typeof this.gl.isContextLost === 'function' ? !!this.gl.isContextLost() : false;
      } catch {
        lost = true;
      }
      if (lost) {
        this.#lost = true;
        throw new GpuContextLostError(this.mode, when);
      }
    }
  }

  /** Marks the context lost (used when a destroy extension does not flip isContextLost()). */
  markLost(): void {
    this.#lost = true;
  }

  #kernel(key: string, source: string, size: number): AnyKernel {
    let k = this.#kernels.get(key);
    if (k) {
      // most recently used last
      this.#kernels.delete(key);
      this.#kernels.set(key, k);
    } else {
      this.#evict();
      k = this.gpu.createKernel(source, {
        output: [size],
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        loopMaxIterations: 1 << 24,
        dynamicOutput: false,
        dynamicArguments: false,
      });
      this.#kernels.set(key, k);
    }
    return k;
  }

  /**
   * Each gpu.js wasm kernel owns a WebAssembly.Memory, and a browser runs out of them after a few
   * hundred; wasm outputs are copies, so old kernels can be destroyed safely. GL / WebGPU kernels
   * are kept for the backend's lifetime (their programs are small and destroying a GL kernel would
   * delete textures it created).
   */
  #evict(): void {
    if (this.mode !== 'webasm') return;
    while (this.#kernels.size >= Engine.WASM_KERNEL_CACHE) {
      const [key, old] = this.#kernels.entries().next().value as [string, AnyKernel];
      this.#kernels.delete(key);
      try {
        (old.kernel ?? old).destroy();
      } catch {
        /* ignore */
      }
    }
  }

  static WASM_KERNEL_CACHE = 32;

  #checkEngine(k: AnyKernel, what: string): void {
    const ran = engineOfKernel(k.kernel);
    if (ran === this.mode) return;
    if (ran === 'cpu') {
      if (!this.allowCpuFallback) {
        throw new CpuFallbackError(this.mode, what, k.kernel?.fallbackReason ?? k.fallbackReason);
      }
      this.engine = 'cpu';
      return;
    }
    throw new Error(`gpujs: kernel ${what} ran on '${ran}', not on '${this.mode}'`);
  }

  #track(h: Handle, size: number): Handle {
    if (h === undefined || h === null) throw new Error('gpujs: a kernel returned no result');
    this.#live.add(h);
    this.#bytes += size * 4;
    return h;
  }

  /**
   * Runs a cached kernel (keyed by its source and output size) on device handles and returns the
   * new output handle. Resolves asynchronously on webgpu.
   */
  async run(name: string, source: string, size: number, args: readonly Handle[], bytesRead?: number): Promise<Handle> {
    this.checkAlive(`before ${name}`);
    if (size > MAX_INDEXABLE) {
      throw new Error(
        `gpujs: ${name} would produce ${size} elements; kernels index in f32 and are exact only up to 2^24 = ${MAX_INDEXABLE} elements per tensor`,
      );
    }
    const k = this.#kernel(`${size}|${source}`, source, size);
    this.stats.launches++;
    // one output per thread; without a model from the op, each input element is read once
    this.stats.threads += size;
    this.stats.outputs += size;
    this.stats.bytesWritten += size * 4;
    this.stats.bytesRead += bytesRead ?? args.reduce((s: number, a: Handle) => s + 4 * (a instanceof Float32Array ? a.length : handleSize(a)), 0);
    let out;
    try {
      out = k(...args);
      if (out && typeof out.then === 'function') out = await out;
    } catch (e) {
      if (/device was lost|context lost/i.test(String((e as Error)?.message))) {
        this.#lost = true;
        throw new GpuContextLostError(this.mode, `during ${name}`);
      }
      throw e;
    }
    this.#checkEngine(k, name);
    this.checkAlive(`after ${name}`);
    return this.#track(out, size);
  }

  /**
   * The WGSL device layer on gpu.js's WebGPU device (src/webgpu), or null when this is not a webgpu
   * engine that still runs on WebGPU (other modes; after an allowed CPU fallback).
   */
  get webgpu(): WebGpuDevice | null {
    if (!this.wgslKernels || this.mode !== 'webgpu' || this.engine !== 'webgpu' || !this.wgpu?.device) return null;
    this.#wg ??= new WebGpuDevice(this.wgpu, this.stats);
    return this.#wg;
  }

  /**
   * Runs WGSL kernels (one op: one command encoder, one submit) on the webgpu engine and returns
   * the new output handles (element counts in `outputs`), tracked like gpu.js outputs.
   */
  async wgsl(dispatches: readonly (Dispatch & { outs: readonly number[]; ins?: readonly number[] })[], outputs: readonly number[]): Promise<Handle[]> {
    const name = dispatches.map((d) => d.name).join(' + ');
    this.checkAlive(`before ${name}`);
    const rt = this.webgpu;
    if (!rt) throw new Error(`gpujs: ${name} is a WGSL kernel and needs the webgpu engine (this is '${this.engine}')`);
    let outs;
    try {
      outs = await rt.run(dispatches, outputs);
    } catch (e) {
      if (this.wgpu?.isLost || /device was lost|context lost/i.test(String((e as Error)?.message))) {
        this.#lost = true;
        throw new GpuContextLostError(this.mode, `during ${name}`);
      }
      throw e;
    }
    try {
      this.checkAlive(`after ${name}`);
    } catch (e) {
      for (const h of outs) h.delete();
      throw e;
    }
    return outs.map((h, i) => this.#track(h, outputs[i]!));
  }

  /** Puts host float data on the device. */
  async upload(values: Float32Array): Promise<Handle> {
    if (values.length > MAX_INDEXABLE) {
      throw new Error(`gpujs: a tensor of ${values.length} elements exceeds the 2^24-element limit of this backend`);
    }
    const rt = this.webgpu;
    if (rt) {
      // webgpu: one queue.writeBuffer into a new buffer, no copy kernel
      this.checkAlive('before upload');
      return this.#track(rt.upload(values), values.length);
    }
    this.stats.uploads++;
    return this.run('upload', 'function (a) { return a[this.thread.x]; }', values.length, [values]);
  }

  /** Reads a handle back; asynchronous readback on webgpu (mapAsync) and webgl2 (PBO + fence). */
  async read(h: Handle, size: number): Promise<Float32Array> {
    this.checkAlive('before a read');
    this.stats.readbacks++;
    let out: Float32Array;
    const rt = this.mode === 'webgpu' && isBufferResult(h) ? this.webgpu : null;
    if (h instanceof Float32Array) out = h.slice();
    else if (rt) {
      // one staging buffer, one copyBufferToBuffer, one mapAsync (webgpu/device.ts)
      try {
        out = await rt.read(h, size);
      } catch (e) {
        if (this.wgpu?.isLost || /device was lost|context lost/i.test(String((e as Error)?.message))) {
          this.#lost = true;
          throw new GpuContextLostError(this.mode, 'during a read');
        }
        throw e;
      }
    }
    else if (this.mode === 'webgl2' && this.engine === 'webgl2' && h.texture && typeof h.framebuffer === 'function') {
      out = await this.#readTextureAsync(h, size);
    } else {
      try {
        const r = h.toArray();
        out = (r && typeof r.then === 'function' ? await r : r) as Float32Array;
        if (this.mode === 'webgpu' && isBufferResult(h)) {
          // gpu.js's readBufferResult: a pooled staging buffer, one copy, one mapAsync, a slice of the mapped range
          this.stats.readCopies++;
          this.stats.mapAsyncs++;
          this.stats.hostCopies++;
          this.stats.bytesRead += size * 4;
        }
      } catch (e) {
        if (/device was lost|context lost/i.test(String((e as Error)?.message))) {
          this.#lost = true;
          throw new GpuContextLostError(this.mode, 'during a read');
        }
        throw e;
      }
    }
    // a lost GL context reads back zeros: never hand those out as data
    this.checkAlive('during a read');
    if (out instanceof Float32Array && out.length === size) return out;
    this.stats.hostCopies++;
    return Float32Array.from(out as ArrayLike<number>);
  }

  /**
   * WebGL2's non-blocking readback of a float texture: readPixels into a PIXEL_PACK_BUFFER, a
   * fence, polling clientWaitSync on later event-loop turns, then getBufferSubData. Values sit in
   * the red channel of RGBA32F texels (gpu.js's single-precision layout).
   */
  async #readTextureAsync(h: Handle, size: number): Promise<Float32Array> {
    const gl = this.gl;
    const [w, hh] = h.size as [number, number];
    gl.bindFramebuffer(gl.FRAMEBUFFER, h.framebuffer());
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, h.texture, 0);
    const raw = new Float32Array(w * hh * 4);
    const pbo = gl.createBuffer();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, raw.byteLength, gl.STREAM_READ);
    gl.readPixels(0, 0, w, hh, gl.RGBA, gl.FLOAT, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    try {
      for (;;) {
        this.checkAlive('while awaiting a readback');
        const status = gl.clientWaitSync(sync, 0, 0);
        if (status === gl.ALREADY_SIGNALED || status === gl.CONDITION_SATISFIED) break;
        if (status === gl.WAIT_FAILED) throw new Error('gpujs: clientWaitSync failed during a readback');
        await new Promise((ok) => setTimeout(ok, 0));
      }
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, raw);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    } finally {
      try {
        gl.deleteSync(sync);
        gl.deleteBuffer(pbo);
      } catch {
        /* context gone */
      }
    }
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = raw[i * 4]!;
    return out;
  }

  get canReadSync(): boolean {
    return this.mode !== 'webgpu';
  }

  readSync(h: Handle, size: number): Float32Array {
    this.checkAlive('before a read');
    this.stats.readbacks++;
    if (h instanceof Float32Array) return h.slice();
    const r = h.toArray();
    if (r && typeof r.then === 'function') throw new Error(`gpujs: '${this.mode}' has no synchronous readback; use await tensor.read()`);
    this.checkAlive('during a read');
    return r instanceof Float32Array && r.length === size ? r : Float32Array.from(r as ArrayLike<number>);
  }

  free(h: Handle, size: number): void {
    if (!this.#live.delete(h)) return;
    this.#bytes -= size * 4;
    if (h && typeof h.delete === 'function') {
      try {
        h.delete();
      } catch {
        /* the context is gone: nothing to free */
      }
    }
  }

  /** Live device handles and bytes, compiled kernels (gpu.js kernels + WGSL pipelines), and the counters of webgpu/stats.ts. */
  memory(): { handles: number; bytes: number; kernels: number } & DeviceStats {
    return { handles: this.#live.size, bytes: this.#bytes, kernels: this.#kernels.size + (this.#wg?.pipelines ?? 0), ...this.stats };
  }

  /** Deletes every live handle, destroys the kernels and releases the context. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const lost = this.#lost || (this.isGl && typeof this.gl?.isContextLost === 'function' && this.gl.isContextLost());
    if (!lost) {
      for (const h of this.#live) {
        try {
          if (h && typeof h.delete === 'function') h.delete();
        } catch {
          /* ignore */
        }
      }
    }
    this.#live.clear();
    this.#bytes = 0;
    const hadKernels = this.#kernels.size > 0;
    this.#kernels.clear();
    this.#wg?.dispose();
    if (!lost) {
      try {
        // destroys every kernel and (GL) the shared context
        await this.gpu.destroy();
      } catch {
        /* ignore */
      }
      if (this.mode === 'headlessgl' && !hadKernels) destroyGl(this.gl);
    }
  }
}
