import type { DType } from '@convkit/core';

/**
 * One tensor's storage. The record itself is the backend's DataId. In shared mode `buf` is a
 * SharedArrayBuffer that workers receive once (by `bufId`) and keep until it is freed.
 */
export interface Rec {
  bufId: number;
  buf: SharedArrayBuffer | ArrayBuffer;
  view: Float32Array | Int32Array;
  dtype: DType;
  size: number;
}

let nextBufId = 1;

/** Every live tensor buffer of one backend. */
export class Storage {
  readonly shared: boolean;
  #live = new Set<Rec>();
  #bytes = 0;
  /** Called with the buffer ids that were freed, so workers can drop their references. */
  onFree: (ids: number[]) => void = () => {};

  constructor(shared: boolean) {
    this.shared = shared;
  }

  alloc(size: number, dtype: DType): Rec {
    const bytes = size * 4;
    const buf = this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    const view = dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
    const rec: Rec = { bufId: nextBufId++, buf, view, dtype, size };
    this.#live.add(rec);
    this.#bytes += bytes;
    return rec;
  }

  write(values: Float32Array | Int32Array, dtype: DType): Rec {
    const rec = this.alloc(values.length, dtype);
    rec.view.set(values);
    return rec;
  }

  has(rec: Rec): boolean {
    return this.#live.has(rec);
  }

  get(id: unknown): Rec {
    const rec = id as Rec;
    if (!this.#live.has(rec)) throw new Error('unknown or disposed data id');
    return rec;
  }

  /** A copy of the values (an ordinary, non-shared array). */
  read(id: unknown): Float32Array | Int32Array {
    const rec = this.get(id);
    return rec.dtype === 'int32' ? new Int32Array(rec.view) : new Float32Array(rec.view);
  }

  free(id: unknown): void {
    const rec = id as Rec;
    if (!this.#live.delete(rec)) return;
    this.#bytes -= rec.buf.byteLength;
    this.onFree([rec.bufId]);
  }

  /** Exchanges the buffers of two records (commits an op that computed `b` as the new `a`). */
  swap(a: Rec, b: Rec): void {
    const { bufId, buf, view } = a;
    a.bufId = b.bufId;
    a.buf = b.buf;
    a.view = b.view;
    b.bufId = bufId;
    b.buf = buf;
    b.view = view;
  }

  get count(): number {
    return this.#live.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    const ids = [...this.#live].map((r) => r.bufId);
    this.#live.clear();
    this.#bytes = 0;
    if (ids.length) this.onFree(ids);
  }
}
