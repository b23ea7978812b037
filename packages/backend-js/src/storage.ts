import type { DataId, DType } from '@convkit/core';

/** One buffer of tensor data held by the js backend. */
export class JsData {
  constructor(
    public values: Float32Array | Int32Array,
    public readonly dtype: DType,
  ) {}
}

/** Storage of the js backend: typed arrays per data id, with live counts for memory(). */
export class JsStorage {
  readonly #live = new Set<JsData>();
  #bytes = 0;

  /** Registers an array as a new data id (takes ownership, no copy). */
  adopt(values: Float32Array | Int32Array, dtype: DType): JsData {
    const d = new JsData(values, dtype);
    this.#live.add(d);
    this.#bytes += values.byteLength;
    return d;
  }

  f32(size: number): JsData {
    return this.adopt(new Float32Array(size), 'float32');
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
    if (this.#live.delete(d)) this.#bytes -= d.values.byteLength;
  }

  clear(): void {
    this.#live.clear();
    this.#bytes = 0;
  }

  get count(): number {
    return this.#live.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
