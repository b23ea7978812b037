import type { Conv2dParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';

/**
 * A per-thread scratch region of the kernels' memory: `ptr` (16-byte aligned byte offset) and
 * `bytes`. Drivers never allocate: the caller hands them a region at least as big as the
 * driver's `...WorkspaceBytes(p)` says. Never share one region between threads.
 */
export interface Workspace {
  ptr: number;
  bytes: number;
}

/** Target size (floats) of one im2col chunk: output rows are processed in chunks of about this many entries. */
export const COLS_CHUNK = 1 << 18;

export function align64(n: number): number {
  return Math.ceil(n / 64) * 64;
}

/** Output rows per im2col chunk for the forward / filter-gradient im2col. */
export function rowsPerChunk(p: Conv2dParams): number {
  const CgRS = (p.C / p.groups) * p.kH * p.kW;
  return Math.max(1, Math.min(p.outH, Math.floor(COLS_CHUNK / Math.max(1, CgRS * p.outW))));
}

/**
 * Images per GEMM for small images (groups = 1, the whole image fits one im2col chunk): their
 * column blocks sit side by side so one GEMM covers several images (small per-image GEMMs
 * spend their time in packing and tile edges). 1 = one image per GEMM.
 */
export function imagesPerGemm(p: Conv2dParams): number {
  if (p.groups !== 1) return 1;
  const CgRS = p.C * p.kH * p.kW;
  const outHW = p.outH * p.outW;
  if (outHW >= 2048 || rowsPerChunk(p) < p.outH) return 1;
  return Math.max(1, Math.min(p.N, Math.floor(COLS_CHUNK / Math.max(1, CgRS * outHW))));
}

/** Carves consecutive 64-byte aligned sub-regions out of a workspace (throws when it is too small). */
export class Carver {
  #at: number;
  readonly #end: number;
  constructor(ws: Workspace) {
    this.#at = align64(ws.ptr);
    this.#end = ws.ptr + ws.bytes;
  }
  take(bytes: number): number {
    const p = this.#at;
    this.#at = align64(p + bytes);
    if (p + bytes > this.#end) throw new RangeError(`wasm drivers: workspace too small (${this.#end - p} bytes left, ${bytes} needed)`);
    return p;
  }
}

/** f32 view of `length` floats at byte offset `ptr` (fresh: the memory may have grown). */
export function f32(k: WasmKernels, ptr: number, length: number): Float32Array {
  return new Float32Array(k.memory.buffer, ptr, length);
}

export function i32(k: WasmKernels, ptr: number, length: number): Int32Array {
  return new Int32Array(k.memory.buffer, ptr, length);
}

/** 1x1 filter, stride 1, no padding: the conv is a plain GEMM on the image. */
export function isPointwise(p: Conv2dParams): boolean {
  return (
    p.kH === 1 && p.kW === 1 && p.strideH === 1 && p.strideW === 1 &&
    p.padTop === 0 && p.padLeft === 0 && p.padBottom === 0 && p.padRight === 0 &&
    p.outH === p.inH && p.outW === p.inW
  );
}

/** Writes the spatially flipped filters (true convolution) at dst; returns dst. */
export function flipInto(k: WasmKernels, p: Conv2dParams, w: number, dst: number): number {
  const RS = p.kH * p.kW;
  const rows = p.K * (p.C / p.groups);
  const src = f32(k, w, rows * RS);
  const out = f32(k, dst, rows * RS);
  for (let r = 0; r < rows; r++) {
    const o = r * RS;
    for (let i = 0; i < RS; i++) out[o + i] = src[o + RS - 1 - i]!;
  }
  return dst;
}
