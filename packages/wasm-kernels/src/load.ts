import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './wasm-bytes.js';
import type { KernelExports } from './exports.js';
import { WasmHeap } from './heap.js';

/** Largest memory of the shared build (pages of 64 KiB): 4 GiB, the wasm32 limit. */
export const SHARED_MAX_PAGES = 65536;

function decode(b64: string): Uint8Array {
  const g = globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array }; atob?: (s: string) => string };
  if (g.Buffer) return new Uint8Array(g.Buffer.from(b64, 'base64'));
  const bin = g.atob!(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The module's bytes: `shared` selects the build that imports a SHARED memory (for worker threads). */
export function kernelsWasmBytes(shared = false): Uint8Array {
  return decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64);
}

const modules: [WebAssembly.Module | undefined, WebAssembly.Module | undefined] = [undefined, undefined];

/** Compiles (once, cached) the kernels module. Synchronous: fine in Node and in workers (a browser main thread should use compileKernels). */
export function compileKernelsSync(shared = false): WebAssembly.Module {
  const i = shared ? 1 : 0;
  return (modules[i] ??= new WebAssembly.Module(kernelsWasmBytes(shared) as BufferSource));
}

export async function compileKernels(shared = false): Promise<WebAssembly.Module> {
  const i = shared ? 1 : 0;
  return (modules[i] ??= await WebAssembly.compile(kernelsWasmBytes(shared) as BufferSource));
}

/** A memory for the kernels: shared (SharedArrayBuffer-backed, for threads) or not. */
export function createKernelMemory(shared = false, initialPages = 256): WebAssembly.Memory {
  return shared
    ? new WebAssembly.Memory({ initial: initialPages, maximum: SHARED_MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: initialPages });
}

/** One instance of the kernels on a memory. */
export interface WasmKernels {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** First free byte past the module's static data. */
  readonly heapBase: number;
  /** Bytes of scratch one sgemm call needs. */
  readonly gemmWorkspaceBytes: number;
}

function wrap(instance: WebAssembly.Instance, memory: WebAssembly.Memory, shared: boolean): WasmKernels {
  const exports = instance.exports as unknown as KernelExports;
  if (exports.simdSelfTest() !== 1) throw new Error('wasm kernels: SIMD self-test failed');
  return { exports, memory, shared, heapBase: exports.heapBase(), gemmWorkspaceBytes: exports.gemmWorkspaceBytes() };
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Instantiates the kernels on `memory` (default: a new non-shared one). A shared memory gets the
 * shared build. Every worker of a thread pool calls this with the SAME shared memory (and the same
 * module, which can be postMessage'd): the kernels keep no state in memory, only the caller's
 * pointers and per-thread workspaces are used.
 */
export function instantiateKernelsSync(memory: WebAssembly.Memory = createKernelMemory(false), module?: WebAssembly.Module): WasmKernels {
  const shared = isShared(memory);
  const instance = new WebAssembly.Instance(module ?? compileKernelsSync(shared), { env: { memory } });
  return wrap(instance, memory, shared);
}

export async function instantiateKernels(memory: WebAssembly.Memory = createKernelMemory(false), module?: WebAssembly.Module): Promise<WasmKernels> {
  const shared = isShared(memory);
  const instance = await WebAssembly.instantiate(module ?? (await compileKernels(shared)), { env: { memory } });
  return wrap(instance, memory, shared);
}

/** A heap allocator on the kernels' memory, starting past the module's static data. */
export function createHeap(k: WasmKernels): WasmHeap {
  return new WasmHeap(k.memory, k.heapBase, k.shared ? SHARED_MAX_PAGES * 65536 - 65536 : undefined);
}
