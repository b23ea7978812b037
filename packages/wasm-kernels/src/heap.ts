const PAGE = 65536;
const ALIGN = 64;

/**
 * First-fit allocator over a WebAssembly.Memory (free blocks kept sorted and coalesced), growing
 * the memory when nothing fits. All blocks are 64-byte aligned. Used by one thread (the owner of
 * the memory); worker threads receive pointers, they never allocate.
 *
 * After `alloc` the memory may have grown: a non-shared memory's old ArrayBuffer is then detached,
 * so take typed-array views (`f32`, `i32`) after allocating, never across an allocation.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** [start, size] of free blocks, sorted by start. */
  #free: Array<[number, number]> = [];
  #sizes = new Map<number, number>();
  #end: number;
  #used = 0;
  readonly maxBytes: number;

  constructor(memory: WebAssembly.Memory, base: number, maxBytes = 4 * 1024 * 1024 * 1024 - PAGE) {
    this.memory = memory;
    this.#end = align(base);
    this.maxBytes = maxBytes;
  }

  /** Allocates `bytes` (rounded up to 64); returns a 64-byte aligned byte offset. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    const free = this.#free;
    for (let i = 0; i < free.length; i++) {
      const blk = free[i]!;
      if (blk[1] >= size) {
        const ptr = blk[0];
        if (blk[1] === size) free.splice(i, 1);
        else {
          blk[0] += size;
          blk[1] -= size;
        }
        this.#sizes.set(ptr, size);
        this.#used += size;
        return ptr;
      }
    }
    // take from the top (merging a free block that ends there)
    let ptr = this.#end;
    const last = free[free.length - 1];
    if (last && last[0] + last[1] === this.#end) {
      ptr = last[0];
      free.pop();
    }
    const end = ptr + size;
    if (end > this.maxBytes) throw new RangeError(`wasm heap: out of memory allocating ${bytes} bytes (limit ${this.maxBytes})`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.#end = Math.max(this.#end, end);
    this.#sizes.set(ptr, size);
    this.#used += size;
    return ptr;
  }

  free(ptr: number): void {
    const size = this.#sizes.get(ptr);
    if (size === undefined) return;
    this.#sizes.delete(ptr);
    this.#used -= size;
    const free = this.#free;
    let lo = 0;
    let hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[mid]![0] < ptr) lo = mid + 1;
      else hi = mid;
    }
    free.splice(lo, 0, [ptr, size]);
    // coalesce with the next, then the previous
    if (lo + 1 < free.length && ptr + size === free[lo + 1]![0]) {
      free[lo]![1] += free[lo + 1]![1];
      free.splice(lo + 1, 1);
    }
    if (lo > 0 && free[lo - 1]![0] + free[lo - 1]![1] === ptr) {
      free[lo - 1]![1] += free[lo]![1];
      free.splice(lo, 1);
    }
  }

  /** Size in bytes of a live block (as rounded), or undefined. */
  sizeOf(ptr: number): number | undefined {
    return this.#sizes.get(ptr);
  }

  get liveBlocks(): number {
    return this.#sizes.size;
  }

  /** Bytes in live blocks. */
  get usedBytes(): number {
    return this.#used;
  }

  /** Bytes of linear memory. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
