/**
 * The gpujs backend's per-op runtime: what every kernel of src/ops gets as its first argument. It
 * holds the Engine (one gpu.js instance on one context of one mode, and the WGSL device layer on
 * webgpu), the tensor storage on top of it and the `convAlgorithm` option, and is the data side of
 * the backend (core's BackendRuntime: write, zeros, read, readSync, disposeData, memory, dispose).
 *
 * float32 data lives on the device as one handle per tensor (written tensors keep their host copy
 * and upload lazily, on first use by a kernel). int32 data never lives on the device as floats
 * holding large integers (f32 is exact only to 2^24): labels are uploaded as small floats after a
 * range check, and maxpool indices stay on the device as the WINDOW OFFSET of each max
 * (ky*kW + kx, always < kH*kW), which the host turns into the exact int32 flat index when the user
 * reads them. See maxpool2d.ts.
 */
import type { BackendMemory, BackendRuntime, DataId, DType, MaxPool2dParams } from '@convkit/core';
import type { Engine, Handle } from './engine.js';
import type { ConvAlgorithm } from './ops/conv2d.js';
import { MAX_INDEXABLE } from './source.js';

/** Geometry that produced window-offset indices; flat index is computed from it on read. */
export type PoolGeometry = MaxPool2dParams;

export class GData {
  /** device handle: float values, or window offsets when `pool` is set */
  handle: Handle | null = null;
  host: Float32Array | Int32Array | null = null;
  pool: PoolGeometry | null = null;
  disposed = false;
  constructor(
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

export function samePool(a: PoolGeometry, b: PoolGeometry): boolean {
  return (
    a.N === b.N &&
    a.C === b.C &&
    a.inH === b.inH &&
    a.inW === b.inW &&
    a.kH === b.kH &&
    a.kW === b.kW &&
    a.strideH === b.strideH &&
    a.strideW === b.strideW &&
    a.dilationH === b.dilationH &&
    a.dilationW === b.dilationW &&
    a.padTop === b.padTop &&
    a.padLeft === b.padLeft &&
    a.outH === b.outH &&
    a.outW === b.outW
  );
}

/** Flat int32 indices from window offsets (-1 for an empty window), exactly, in integer math. */
export function offsetsToIndices(off: Float32Array, p: PoolGeometry): Int32Array {
  const { N, C, inH, inW, outH, outW, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const out = new Int32Array(off.length);
  let o = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const base = pl * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        const f = off[o]!;
        if (!(f >= 0)) {
          out[o] = -1;
          continue;
        }
        const ky = Math.floor(f / kW);
        const kx = f - ky * kW;
        const iy = oy * strideH - padTop + ky * dilationH;
        const ix = ox * strideW - padLeft + kx * dilationW;
        out[o] = base + iy * inW + ix;
      }
    }
  }
  return out;
}

/**
 * Window offsets from flat indices, for indices that did not come from this backend's maxpool
 * (or came with other geometry). Throws if an index is not inside its own window: the gather-form
 * backward kernel can only route a gradient to a position of the window that produced it.
 */
export function indicesToOffsets(idx: Int32Array, p: PoolGeometry): Float32Array {
  const { N, C, inH, inW, outH, outW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const out = new Float32Array(idx.length);
  let o = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const base = pl * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        const v = idx[o]!;
        if (v === -1) {
          out[o] = -1;
          continue;
        }
        const r = v - base;
        const iy = Math.floor(r / inW);
        const ix = r - iy * inW;
        const dy = iy - (oy * strideH - padTop);
        const dx = ix - (ox * strideW - padLeft);
        const ky = dy / dilationH;
        const kx = dx / dilationW;
        if (
          r < 0 ||
          r >= inH * inW ||
          !Number.isInteger(ky) ||
          !Number.isInteger(kx) ||
          ky < 0 ||
          ky >= kH ||
          kx < 0 ||
          kx >= kW
        ) {
          throw new Error(
            `gpujs maxpool2dBackward: index ${v} at output ${o} is not inside its pooling window; ` +
              `this backend routes gradients in gather form and needs indices as produced by maxpool2d`,
          );
        }
        out[o] = ky * kW + kx;
      }
    }
  }
  return out;
}

export class GpujsRuntime implements BackendRuntime {
  #live = new Set<GData>();
  /** Synchronous readback: every engine but webgpu (absent there, so the backend has no readSync). */
  readonly readSync?: (id: DataId) => Float32Array | Int32Array;

  constructor(
    readonly engine: Engine,
    /** The backend's `convAlgorithm` option: conv2d and conv2dBackward follow it. */
    readonly convAlgorithm: ConvAlgorithm,
  ) {
    if (engine.canReadSync) this.readSync = (id: DataId) => this.#readSync(id);
  }

  add(d: GData): GData {
    this.#live.add(d);
    return d;
  }

  /** Tensors above 2^24 elements are refused up front: no kernel could index them exactly. */
  #checkSize(size: number): void {
    if (size > MAX_INDEXABLE) {
      throw new Error(
        `gpujs: a tensor of ${size} elements exceeds this backend's limit of 2^24 = ${MAX_INDEXABLE} elements (kernels index in f32)`,
      );
    }
  }

  write(values: Float32Array | Int32Array, dtype: DType): GData {
    this.#checkSize(values.length);
    const d = new GData(dtype, values.length);
    d.host = dtype === 'int32' ? Int32Array.from(values as ArrayLike<number>) : Float32Array.from(values as ArrayLike<number>);
    return this.add(d);
  }

  zeros(size: number, dtype: DType): GData {
    this.#checkSize(size);
    const d = new GData(dtype, size);
    d.host = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    return this.add(d);
  }

  /** A new float tensor around a fresh kernel output. */
  out(handle: Handle, size: number): GData {
    const d = new GData('float32', size);
    d.handle = handle;
    return this.add(d);
  }

  /** The float32 device handle of a tensor (uploading a host copy once). */
  async f(id: DataId): Promise<Handle> {
    const d = id as GData;
    if (d.disposed) throw new Error('gpujs: a kernel was given a disposed tensor');
    if (d.handle) return d.handle;
    if (d.dtype !== 'float32') throw new Error('gpujs: expected float32 data');
    d.handle = await this.engine.upload(d.host as Float32Array);
    return d.handle;
  }

  /**
   * int32 labels as small floats on the device (a temporary handle the caller frees). Values must
   * lie in (-2^24, 2^24) to be exact in f32; labels for a softmax are < classes anyway.
   */
  async labels(id: DataId): Promise<Handle> {
    const host = (await this.readInt(id)) as Int32Array;
    const f = new Float32Array(host.length);
    for (let i = 0; i < host.length; i++) {
      const v = host[i]!;
      if (v <= -(2 ** 24) || v >= 2 ** 24) throw new Error(`gpujs: int32 value ${v} cannot be represented exactly on the device`);
      f[i] = v;
    }
    return this.engine.upload(f);
  }

  /** Replaces a tensor's storage with a new handle (sgd's in-place update). */
  replace(id: DataId, handle: Handle): void {
    const d = id as GData;
    if (d.handle) this.engine.free(d.handle, d.size);
    d.handle = handle;
    d.host = null;
  }

  async readFloat(id: DataId): Promise<Float32Array> {
    const d = id as GData;
    if (d.host && d.dtype === 'float32') return (d.host as Float32Array).slice();
    return this.engine.read(d.handle, d.size);
  }

  async readInt(id: DataId): Promise<Int32Array> {
    const d = id as GData;
    if (d.host) return (d.host as Int32Array).slice();
    if (d.pool) return offsetsToIndices(await this.engine.read(d.handle, d.size), d.pool);
    throw new Error('gpujs: int32 tensor has no data');
  }

  async read(id: DataId): Promise<Float32Array | Int32Array> {
    const d = id as GData;
    return d.dtype === 'int32' ? this.readInt(id) : this.readFloat(id);
  }

  #readSync(id: DataId): Float32Array | Int32Array {
    const d = id as GData;
    if (d.host) return d.host.slice();
    const v = this.engine.readSync(d.handle, d.size);
    if (d.dtype === 'int32') return offsetsToIndices(v, d.pool!);
    return v;
  }

  disposeData(id: DataId): void {
    const d = id as GData;
    if (d.disposed) return;
    d.disposed = true;
    if (d.handle) this.engine.free(d.handle, d.size);
    d.handle = null;
    d.host = null;
    this.#live.delete(d);
  }

  /** Frees a kernel's temporary device handle (one no tensor owns). */
  free(h: Handle, size: number): void {
    this.engine.free(h, size);
  }

  /** Live tensors, the engine's handles (textures on GL, buffers elsewhere), bytes, kernels and counters. */
  memory(): BackendMemory {
    const m = this.engine.memory();
    const kind = this.engine.isGl ? 'textures' : 'buffers';
    const { handles, ...counters } = m;
    return { dataIds: this.#live.size, [kind]: handles, ...counters };
  }

  /** Deletes every live handle, destroys the kernels and releases the context. */
  dispose(): Promise<void> {
    return this.engine.dispose();
  }
}
