import type { BackendMemory, BackendRuntime, DataId, DType } from '@convkit/core';
import { JsStorage } from './storage.js';
import { Scratch } from './primitives/scratch.js';

/**
 * The js backend's per-op runtime: the typed-array storage of its tensors and the scratch every
 * kernel call reuses (packed GEMM panels, im2col chunks). Kernels (src/ops/) get it first.
 */
export class JsRuntime implements BackendRuntime {
  /** Typed arrays per data id. */
  readonly s = new JsStorage();
  /** Scratch reused by every kernel call. */
  readonly scratch = new Scratch();

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    // a copy (set() converts when the element types differ); the array may be a recycled one
    const d = this.s.alloc(values.length, dtype, false);
    d.values.set(values);
    return d;
  }

  zeros(size: number, dtype: DType): DataId {
    return this.s.alloc(size, dtype);
  }

  read(id: DataId): Promise<Float32Array | Int32Array> {
    try {
      return Promise.resolve(this.readSync(id));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readSync(id: DataId): Float32Array | Int32Array {
    return this.s.get(id).values.slice();
  }

  disposeData(id: DataId): void {
    this.s.free(id);
  }

  memory(): BackendMemory {
    return { dataIds: this.s.count, bytes: this.s.bytes, scratchBytes: this.scratch.bytes, pooledBytes: this.s.pooledBytes };
  }

  dispose(): void {
    this.s.clear();
    this.scratch.clear();
  }
}
