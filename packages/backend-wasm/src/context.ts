import { createHeap, instantiateKernelsSync, type WasmHeap, type WasmKernels } from '@convkit/wasm-kernels';
import type { Workspace } from './drivers/workspace.js';
import { WasmStorage } from './storage.js';

/** What every op file gets: the kernels instance, tensor storage and the (growable) workspace. */
export class WasmRuntime {
  readonly k: WasmKernels;
  readonly heap: WasmHeap;
  readonly s: WasmStorage;
  #ws: Workspace | null = null;

  /** `kernels`: an instance made elsewhere (e.g. by the async instantiateKernels); else instantiated synchronously on `memory`. */
  constructor(memory?: WebAssembly.Memory, kernels?: WasmKernels) {
    this.k = kernels ?? instantiateKernelsSync(memory);
    this.heap = createHeap(this.k);
    this.s = new WasmStorage(this.heap);
  }

  /** A workspace of at least `bytes` (kept and reused; grows on demand). Allocate outputs BEFORE taking views. */
  ws(bytes: number): Workspace {
    if (!this.#ws || this.#ws.bytes < bytes) {
      if (this.#ws) this.heap.free(this.#ws.ptr);
      const size = Math.max(bytes, this.#ws ? Math.min(this.#ws.bytes * 2, bytes * 2) : bytes);
      this.#ws = { ptr: this.heap.alloc(size), bytes: size };
    }
    return this.#ws;
  }

  get workspaceBytes(): number {
    return this.#ws?.bytes ?? 0;
  }

  dispose(): void {
    this.s.clear();
    if (this.#ws) this.heap.free(this.#ws.ptr);
    this.#ws = null;
  }
}
