import type { DataId, DType } from '@convkit/core';
import type { WasmHeap } from '@convkit/wasm-kernels';

/** One buffer of tensor data in the kernels' linear memory. */
export class WasmData {
  constructor(
    /** byte offset (64-byte aligned) */
    public readonly ptr: number,
    /** elements */
    public readonly size: number,
    public readonly dtype: DType,
  ) {}
}

/** Tensor storage of the wasm backend: every tensor lives in the one WebAssembly.Memory. */
export class WasmStorage {
  readonly #live = new Set<WasmData>();
  constructor(readonly heap: WasmHeap) {}

  alloc(size: number, dtype: DType): WasmData {
    const d = new WasmData(this.heap.alloc(Math.max(1, size) * 4), size, dtype);
    this.#live.add(d);
    return d;
  }

  /** Allocates `size` float32 elements (contents unspecified: kernels overwrite them). */
  f32(size: number): WasmData {
    return this.alloc(size, 'float32');
  }

  get(id: DataId): WasmData {
    const d = id as WasmData;
    if (!(d instanceof WasmData) || !this.#live.has(d)) throw new Error('wasm backend: unknown or disposed data id');
    return d;
  }

  ptr(id: DataId): number {
    return this.get(id).ptr;
  }

  /** Float32 view of a data id (take it after any allocation: memory growth detaches old views). */
  fv(id: DataId): Float32Array {
    const d = this.get(id);
    return this.heap.f32(d.ptr, d.size);
  }

  iv(id: DataId): Int32Array {
    const d = this.get(id);
    return this.heap.i32(d.ptr, d.size);
  }

  view(id: DataId): Float32Array | Int32Array {
    const d = this.get(id);
    return d.dtype === 'int32' ? this.heap.i32(d.ptr, d.size) : this.heap.f32(d.ptr, d.size);
  }

  free(id: DataId): void {
    const d = id as WasmData;
    if (this.#live.delete(d)) this.heap.free(d.ptr);
  }

  clear(): void {
    for (const d of this.#live) this.heap.free(d.ptr);
    this.#live.clear();
  }

  get count(): number {
    return this.#live.size;
  }

  get bytes(): number {
    let b = 0;
    for (const d of this.#live) b += d.size * 4;
    return b;
  }
}
