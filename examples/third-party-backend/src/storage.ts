import type { DataId, DType } from '@convkit/core';

/** One buffer: a Float32Array (float32) or an Int32Array (int32, e.g. pool indices). */
export class Data {
  constructor(
    public values: Float32Array | Int32Array,
    public readonly dtype: DType,
  ) {}
}

/** Typed arrays per data id; core only ever sees the opaque Data objects. */
export class Storage {
  readonly #live = new Set<Data>();
  #bytes = 0;

  adopt(values: Float32Array | Int32Array, dtype: DType): Data {
    const d = new Data(values, dtype);
    this.#live.add(d);
    this.#bytes += values.byteLength;
    return d;
  }

  f32(n: number): Data {
    return this.adopt(new Float32Array(n), 'float32');
  }

  i32(n: number): Data {
    return this.adopt(new Int32Array(n), 'int32');
  }

  get(id: DataId): Data {
    const d = id as Data;
    if (!(d instanceof Data) || !this.#live.has(d)) throw new Error('naive backend: unknown or disposed data id');
    return d;
  }

  f(id: DataId): Float32Array {
    return this.get(id).values as Float32Array;
  }

  i(id: DataId): Int32Array {
    return this.get(id).values as Int32Array;
  }

  free(id: DataId): void {
    const d = id as Data;
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
