/**
 * Growable per-thread scratch memory for the raw kernels. One Scratch per thread (worker),
 * reused across calls; buffers grow on demand and never shrink. Never share one between threads.
 */
export class Scratch {
  readonly #f32 = new Map<string, Float32Array>();
  readonly #i32 = new Map<string, Int32Array>();

  /** A Float32Array of at least `size` elements for `slot` (contents unspecified). */
  f32(slot: string, size: number): Float32Array {
    let b = this.#f32.get(slot);
    if (!b || b.length < size) {
      b = new Float32Array(Math.max(size, b ? Math.min(b.length * 2, size * 2) : size));
      this.#f32.set(slot, b);
    }
    return b;
  }

  /** An Int32Array of at least `size` elements for `slot` (contents unspecified). */
  i32(slot: string, size: number): Int32Array {
    let b = this.#i32.get(slot);
    if (!b || b.length < size) {
      b = new Int32Array(Math.max(size, b ? Math.min(b.length * 2, size * 2) : size));
      this.#i32.set(slot, b);
    }
    return b;
  }

  /** Bytes currently held. */
  get bytes(): number {
    let s = 0;
    for (const b of this.#f32.values()) s += b.byteLength;
    for (const b of this.#i32.values()) s += b.byteLength;
    return s;
  }

  /** Drops every buffer. */
  clear(): void {
    this.#f32.clear();
    this.#i32.clear();
  }
}

export function createScratch(): Scratch {
  return new Scratch();
}

/** out[start..end) = value. */
export function fill(out: Float32Array | Int32Array, value: number, start = 0, end = out.length): void {
  out.fill(value, start, end);
}
