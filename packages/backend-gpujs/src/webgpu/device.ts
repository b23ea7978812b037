/**
 * The WGSL device layer on gpu.js's shared WebGPU device, for kernels gpu.js's kernel language
 * cannot express: gpu.js builds every kernel with a fixed workgroup shape (64x1x1 or 8x8x1), one
 * output per invocation, no `var<workgroup>` memory and no `workgroupBarrier()`, so a register- and
 * shared-memory-tiled GEMM / convolution, or one kernel that writes two outputs (maxpool values and
 * indices), cannot be written in it. These kernels are plain WGSL compute shaders, dispatched on the
 * same GPUDevice gpu.js uses (`WebGPUContext.acquire()`), reading and writing the same kind of
 * handle: every buffer this layer makes is wrapped in gpu.js's own `WebGPUBufferResult`, so a
 * gpu.js kernel takes it as an argument and a WGSL kernel takes a gpu.js kernel's output.
 *
 * - pipelines are cached by WGSL source (geometry is baked into the source as constants);
 * - one command encoder, one compute pass and one submit per op, however many dispatches it has;
 * - uploads are `queue.writeBuffer` into a fresh buffer (no copy kernel);
 * - a read is one staging buffer, one copyBufferToBuffer, one mapAsync, one host copy.
 */
import { WebGPUBufferResult } from '../gpujs.js';
import type { DeviceStats } from './stats.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

// numeric values pinned by the WebGPU spec (GPUBufferUsage / GPUMapMode are globals only where WebGPU exists)
const USAGE_MAP_READ = 0x0001;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

/** One dispatch of a WGSL kernel: bindings are the inputs in order, then the outputs. */
export interface Dispatch {
  /** for error messages */
  name: string;
  wgsl: string;
  inputs: readonly Any[];
  /** workgroups in x, y, z */
  groups: readonly [number, number, number];
  /** invocations that compute outputs (for the outputs-per-thread counter) */
  threads: number;
  /** modeled bytes the kernel loads from device memory */
  bytesRead: number;
}

/** True for a gpu.js WebGPU pipeline handle (from a gpu.js kernel or from this layer). */
export function isBufferResult(h: Any): boolean {
  return !!h && typeof h === 'object' && h.type === 'WebGPUBuffer' && !!h.buffer;
}

/** Elements of a buffer handle (its 1-D output size). */
export function handleSize(h: Any): number {
  const o = h?.output as number[] | undefined;
  if (!o) return 0;
  return o.reduce((a, b) => a * b, 1);
}

export class WebGpuDevice {
  #pipelines = new Map<string, Any>();
  /** pipelines whose first dispatch was validated (error scope) */
  #validated = new Set<Any>();
  readonly maxGroups: number;
  readonly maxStorageBytes: number;

  constructor(
    /** gpu.js's shared record { adapter, device, isLost } */
    readonly context: Any,
    readonly stats: DeviceStats,
  ) {
    const lim = context.device.limits;
    this.maxGroups = lim.maxComputeWorkgroupsPerDimension ?? 65535;
    this.maxStorageBytes = Math.min(lim.maxStorageBufferBindingSize ?? 2 ** 27, lim.maxBufferSize ?? 2 ** 28);
  }

  get device(): Any {
    return this.context.device;
  }

  get pipelines(): number {
    return this.#pipelines.size;
  }

  /** A readback-capable storage buffer of `size` f32 elements, wrapped as gpu.js's handle. */
  buffer(size: number): Any {
    const bytes = Math.max(4, size * 4);
    if (bytes > this.maxStorageBytes) {
      throw new Error(`gpujs webgpu: a buffer of ${size} elements (${bytes} bytes) exceeds this device's ${this.maxStorageBytes} bytes per storage buffer`);
    }
    const buffer = this.device.createBuffer({ size: bytes, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    return new WebGPUBufferResult({
      buffer,
      output: [size],
      componentCount: 1,
      context: this.context,
      // toArray() of gpu.js's handle calls kernel.readBufferResult(handle)
      kernel: { readBufferResult: (h: Any) => this.read(h, size) },
    });
  }

  /** Host data to a new device buffer: one queue.writeBuffer, no kernel. */
  upload(values: Float32Array): Any {
    const h = this.buffer(values.length);
    if (values.length > 0) this.device.queue.writeBuffer(h.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    this.stats.uploads++;
    this.stats.bytesWritten += values.byteLength;
    return h;
  }

  async #pipeline(name: string, wgsl: string): Promise<Any> {
    let p = this.#pipelines.get(wgsl);
    if (p) return p;
    const device = this.device;
    const module = device.createShaderModule({ code: wgsl });
    try {
      p = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    } catch (e) {
      let detail = '';
      try {
        const info = await module.getCompilationInfo();
        detail = info.messages.map((m: Any) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
      } catch {
        /* no compilation info */
      }
      throw new Error(`gpujs webgpu: the WGSL kernel ${name} did not build: ${(e as Error)?.message ?? e}${detail ? ` (${detail})` : ''}`);
    }
    this.#pipelines.set(wgsl, p);
    return p;
  }

  /**
   * Encodes the dispatches of one op into one compute pass of one command encoder and submits
   * once. Returns one new buffer per entry of `outputs` (element counts). Each dispatch binds its
   * `inputs` (handles), then `ins` (outputs of an earlier dispatch of this op, read), then `outs`
   * (the outputs it writes); `ins` / `outs` are indices into `outputs`.
   */
  async run(dispatches: readonly (Dispatch & { outs: readonly number[]; ins?: readonly number[] })[], outputs: readonly number[]): Promise<Any[]> {
    for (const d of dispatches) {
      for (const h of d.inputs) {
        if (!isBufferResult(h)) throw new Error(`gpujs webgpu: ${d.name} was given an input that is not a WebGPU buffer`);
        if (h._deleted) throw new Error(`gpujs webgpu: ${d.name} was given a deleted buffer`);
        if (h.context !== this.context) throw new Error(`gpujs webgpu: ${d.name} was given a buffer of another WebGPU device`);
      }
      for (const g of d.groups) {
        if (g > this.maxGroups) throw new Error(`gpujs webgpu: ${d.name} needs ${g} workgroups in one dimension, over this device's ${this.maxGroups}`);
      }
    }
    const pipes: Any[] = [];
    for (const d of dispatches) pipes.push(await this.#pipeline(d.name, d.wgsl));
    const outs = outputs.map((n) => this.buffer(n));
    const device = this.device;
    const validate = pipes.filter((p) => !this.#validated.has(p));
    try {
      if (validate.length) device.pushErrorScope('validation');
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      dispatches.forEach((d, i) => {
        const entries = [...d.inputs, ...(d.ins ?? []).map((o) => outs[o]), ...d.outs.map((o) => outs[o])].map((h: Any, b: number) => ({ binding: b, resource: { buffer: h.buffer } }));
        const bg = device.createBindGroup({ layout: pipes[i].getBindGroupLayout(0), entries });
        pass.setPipeline(pipes[i]);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
      });
      pass.end();
      device.queue.submit([enc.finish()]);
      if (validate.length) {
        const err = await device.popErrorScope();
        if (err) throw new Error(`gpujs webgpu: ${dispatches.map((d) => d.name).join(' + ')} failed validation: ${err.message}`);
        for (const p of validate) this.#validated.add(p);
      }
    } catch (e) {
      for (const h of outs) h.delete();
      throw e;
    }
    for (const d of dispatches) {
      this.stats.launches++;
      this.stats.threads += d.threads;
      this.stats.bytesRead += d.bytesRead;
    }
    for (const n of outputs) {
      this.stats.outputs += n;
      this.stats.bytesWritten += n * 4;
    }
    return outs;
  }

  /** One staging buffer, one copyBufferToBuffer, one mapAsync, one host copy. */
  async read(h: Any, size: number): Promise<Float32Array> {
    if (this.context.isLost) throw new Error('gpujs webgpu: the device was lost; this buffer holds no data');
    if (h._deleted) throw new Error('gpujs webgpu: reading a deleted buffer');
    const bytes = size * 4;
    const out = new Float32Array(size);
    if (size === 0) return out;
    const device = this.device;
    const staging = device.createBuffer({ size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST });
    try {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(h.buffer, 0, staging, 0, bytes);
      device.queue.submit([enc.finish()]);
      this.stats.readCopies++;
      this.stats.bytesRead += bytes;
      this.stats.mapAsyncs++;
      await staging.mapAsync(MAP_MODE_READ, 0, bytes);
      out.set(new Float32Array(staging.getMappedRange(0, bytes)));
      this.stats.hostCopies++;
      staging.unmap();
    } finally {
      staging.destroy();
    }
    return out;
  }

  dispose(): void {
    this.#pipelines.clear();
    this.#validated.clear();
  }
}
