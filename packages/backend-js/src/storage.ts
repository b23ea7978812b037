import type { DataId, DType } from '@convkit/core';

/** One buffer of tensor data held by the js backend. */
export class JsData {
  constructor(
    public values: Float32Array | Int32Array,
    public readonly dtype: DType,
  ) {}
}

/** Most bytes of freed arrays kept for reuse (per backend). */
const POOL_MAX_BYTES = 64 * 1024 * 1024;
/** Arrays below this size are not pooled (allocation is cheap for them). */
const POOL_MIN_BYTES = 64 * 1024;

/**
 * Storage of the js backend: typed arrays per data id, with live counts for memory().
 *
 * Freed arrays of 64 KiB or more are kept (up to 64 MiB in total) and handed out again, zeroed,
 * for the next output of the same type and length: a fresh large typed array costs a page fault
 * per 4 KiB page on first write (measured: a 4 MB maxpool output takes ~1.5-2x the kernel's own
 * time that way), which dominates cheap memory-bound ops in a loop that disposes its results.
 */
export class JsStorage {
  readonly #live = new Set<JsData>();
  #bytes = 0;
  readonly #pool = new Map<string, (Float32Array | Int32Array)[]>();
  #pooledBytes = 0;

  /** A zeroed array of `size` elements, recycled when one of that type and length is pooled. */
  #alloc(size: number, dtype: DType, zero: boolean): Float32Array | Int32Array {
    const key = `${dtype}:${size}`;
    const list = this.#pool.get(key);
    const a = list?.pop();
    if (a) {
      this.#pooledBytes -= a.byteLength;
      if (list!.length === 0) this.#pool.delete(key);
      if (zero) a.fill(0);
      return a;
    }
    return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  }

  /** A new data id of `size` elements, zeroed unless `zero` is false (the caller overwrites it all). */
  alloc(size: number, dtype: DType, zero = true): JsData {
    return this.adopt(this.#alloc(size, dtype, zero), dtype);
  }

  /** Registers an array as a new data id (takes ownership, no copy). */
  adopt(values: Float32Array | Int32Array, dtype: DType): JsData {
    const d = new JsData(values, dtype);
    this.#live.add(d);
    this.#bytes += values.byteLength;
    return d;
  }

  f32(size: number): JsData {
    return this.alloc(size, 'float32');
  }

  get(id: DataId): JsData {
    const d = id as JsData;
    if (!(d instanceof JsData) || !this.#live.has(d)) {
      throw new Error('js backend: unknown or disposed data id');
    }
    return d;
  }

  /** Float32 values of a data id. */
  f(id: DataId): Float32Array {
    return this.get(id).values as Float32Array;
  }

  /** Int32 values of a data id. */
  i(id: DataId): Int32Array {
    return this.get(id).values as Int32Array;
  }

  free(id: DataId): void {
    const d = id as JsData;
    if (!this.#live.delete(d)) return;
    const a = d.values;
    this.#bytes -= a.byteLength;
    // only arrays that own their whole buffer (never a view into someone else's memory)
    if (a.byteLength >= POOL_MIN_BYTES && a.byteOffset === 0 && a.buffer.byteLength === a.byteLength && this.#pooledBytes + a.byteLength <= POOL_MAX_BYTES) {
      const key = `${d.dtype}:${a.length}`;
      const list = this.#pool.get(key);
      if (list) list.push(a);
      else this.#pool.set(key, [a]);
      this.#pooledBytes += a.byteLength;
    }
  }

  clear(): void {
    this.#live.clear();
    this.#bytes = 0;
    this.#pool.clear();
    this.#pooledBytes = 0;
  }

  /** Bytes of freed arrays kept for reuse. */
  get pooledBytes(): number {
    return this.#pooledBytes;
  }

  get count(): number {
    return this.#live.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
