import type { BackendMemory, BackendRuntime, DataId, DType } from '@convkit/core';

/** One buffer: a Float32Array (float32) or an Int32Array (int32, e.g. pool indices). */
export class Data {
  constructor(
    public values: Float32Array | Int32Array,
    public readonly dtype: DType,
  ) {}
}

/**
 * The naive backend's runtime: what every kernel in ./ops gets as its first argument. Here that is
 * just the storage, typed arrays per data id (core only ever sees the opaque Data objects); a GPU
 * backend would keep its device, a threaded one its worker pool here too. The methods of core's
 * BackendRuntime (write, zeros, read, readSync, disposeData, memory, dispose) are the data side of
 * the backend; the rest are what the kernels use.
 */
export class NaiveRuntime implements BackendRuntime {
  readonly #live = new Set<Data>();
  #bytes = 0;

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    return this.adopt(dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values), dtype);
  }

  zeros(size: number, dtype: DType): DataId {
    return dtype === 'int32' ? this.i32(size) : this.f32(size);
  }

  async read(id: DataId): Promise<Float32Array | Int32Array> {
    return this.readSync(id);
  }

  readSync(id: DataId): Float32Array | Int32Array {
    return this.get(id).values.slice();
  }

  disposeData(id: DataId): void {
    const d = id as Data;
    if (this.#live.delete(d)) this.#bytes -= d.values.byteLength;
  }

  memory(): BackendMemory {
    return { dataIds: this.#live.size, bytes: this.#bytes };
  }

  dispose(): void {
    this.#live.clear();
    this.#bytes = 0;
  }

  // --- for the kernels ---

  /** Takes ownership of `values` as a new data id. */
  adopt(values: Float32Array | Int32Array, dtype: DType): Data {
    const d = new Data(values, dtype);
    this.#live.add(d);
    this.#bytes += values.byteLength;
    return d;
  }

  /** A new float32 buffer of n zeros. */
  f32(n: number): Data {
    return this.adopt(new Float32Array(n), 'float32');
  }

  /** A new int32 buffer of n zeros. */
  i32(n: number): Data {
    return this.adopt(new Int32Array(n), 'int32');
  }

  get(id: DataId): Data {
    const d = id as Data;
    if (!(d instanceof Data) || !this.#live.has(d)) throw new Error('naive backend: unknown or disposed data id');
    return d;
  }

  /** The float32 values of a data id (no copy). */
  f(id: DataId): Float32Array {
    return this.get(id).values as Float32Array;
  }

  /** The int32 values of a data id (no copy). */
  i(id: DataId): Int32Array {
    return this.get(id).values as Int32Array;
  }
}
