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
  /**
   * Ops in flight that use this buffer (Host.exec). A buffer freed while busy is never recycled;
   * a failed op leaves its buffers busy for good (its other tasks may still be running).
   */
  busy?: number;
}

let nextBufId = 1;

/** Most bytes / buffers of freed SharedArrayBuffers kept for reuse (see Storage.allocUninit). */
export const RECYCLE_MAX_BYTES = 64 * 1024 * 1024;
export const RECYCLE_MAX_BUFFERS = 64;

/** Every live tensor buffer of one backend. */
export class Storage {
  readonly shared: boolean;
  #live = new Set<Rec>();
  #bytes = 0;
  /** Called with the buffer ids that were freed, so workers can drop their references. */
  onFree: (ids: number[]) => void = () => {};
  /**
   * Freed SharedArrayBuffers kept for reuse, oldest first, with their buffer ids: the workers keep
   * them mapped, so a recycled buffer is neither re-sent nor page-faulted in again. A worker views
   * a buffer with the dtype it was first sent with, so a buffer is only reused for the same dtype.
   */
  #recycled: { bufId: number; buf: SharedArrayBuffer; dtype: DType }[] = [];
  #recycledBytes = 0;

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

  /**
   * Like `alloc`, but the contents are unspecified (a recycled buffer keeps its old values): only
   * for outputs every element of which is written before anyone reads them.
   */
  allocUninit(size: number, dtype: DType): Rec {
    const bytes = size * 4;
    const list = this.#recycled;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i]!;
      if (e.buf.byteLength !== bytes || e.dtype !== dtype) continue;
      list.splice(i, 1);
      this.#recycledBytes -= bytes;
      const view = dtype === 'int32' ? new Int32Array(e.buf) : new Float32Array(e.buf);
      const rec: Rec = { bufId: e.bufId, buf: e.buf, view, dtype, size };
      this.#live.add(rec);
      this.#bytes += bytes;
      return rec;
    }
    return this.alloc(size, dtype);
  }

  write(values: Float32Array | Int32Array, dtype: DType): Rec {
    const rec = this.allocUninit(values.length, dtype);
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
    const bytes = rec.buf.byteLength;
    this.#bytes -= bytes;
    if (this.shared && !rec.busy && bytes > 0 && bytes <= RECYCLE_MAX_BYTES) {
      const list = this.#recycled;
      list.push({ bufId: rec.bufId, buf: rec.buf as SharedArrayBuffer, dtype: rec.dtype });
      this.#recycledBytes += bytes;
      const evicted: number[] = [];
      while (this.#recycledBytes > RECYCLE_MAX_BYTES || list.length > RECYCLE_MAX_BUFFERS) {
        const e = list.shift()!;
        this.#recycledBytes -= e.buf.byteLength;
        evicted.push(e.bufId);
      }
      if (evicted.length) this.onFree(evicted);
      return;
    }
    this.onFree([rec.bufId]);
  }

  /** Bytes of freed buffers kept for reuse (not counted in `bytes`). */
  get recycledBytes(): number {
    return this.#recycledBytes;
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
    for (const e of this.#recycled) ids.push(e.bufId);
    this.#recycled = [];
    this.#recycledBytes = 0;
    this.#live.clear();
    this.#bytes = 0;
    if (ids.length) this.onFree(ids);
  }
}
