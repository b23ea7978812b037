import type { Conv2dParams, GemmParams, MaxPool2dParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import { createHeap, instantiateKernelsSync, type WasmHeap, type WasmKernels } from '@convkit/wasm-kernels';
import { conv2dForward, planConv2d } from './drivers/conv2d.js';
import {
  conv2dBackwardData,
  conv2dBackwardDataWorkspaceBytes,
  conv2dBackwardFilter,
  conv2dBackwardFilterWorkspaceBytes,
} from './drivers/conv2d_backward.js';
import { gemm as gemmDriver } from './drivers/gemm.js';

type Scratch = ReturnType<typeof js.createScratch>;

/** Input bytes of one maxpool chunk (see WasmRawKernels.maxpool2d). */
const MAXPOOL_CHUNK_BYTES = 128 * 1024;

/**
 * Drop-in SIMD versions of the heavy `@convkit/backend-js` raw kernels (same signatures, same
 * range semantics, see packages/backend-js/KERNELS.md) for a worker whose tensors are ordinary or
 * SharedArrayBuffer-backed typed arrays OUTSIDE wasm memory (the @convkit/backend-workers layout).
 *
 * Each call copies the inputs its range needs into this thread's private wasm memory, runs the
 * SIMD drivers and copies the output range back (copies are O(data), the compute O(flops)).
 * Ranges the drivers do not split by (conv2d k / oy ranges, dx channel ranges, gemm column ranges) run the js kernel instead, so every call is correct. Results agree with the js
 * kernels within the float32 tolerance, NOT bit for bit (different summation order).
 *
 * One instance per thread (it owns a wasm memory); never share one between threads.
 */
export class WasmRawKernels {
  readonly k: WasmKernels;
  readonly heap: WasmHeap;
  #ws = 0;
  #wsBytes = 0;

  constructor() {
    this.k = instantiateKernelsSync();
    this.heap = createHeap(this.k);
  }

  #workspace(bytes: number): { ptr: number; bytes: number } {
    if (this.#wsBytes < bytes) {
      if (this.#ws) this.heap.free(this.#ws);
      this.#ws = this.heap.alloc(bytes);
      this.#wsBytes = bytes;
    }
    return { ptr: this.#ws, bytes: this.#wsBytes };
  }

  /** Copies src[from, from+len) into a new block; returns its pointer. */
  #put(src: Float32Array, from: number, len: number): number {
    const ptr = this.heap.alloc(len * 4);
    this.heap.f32(ptr, len).set(src.subarray(from, from + len));
    return ptr;
  }

  #free(...ptrs: number[]): void {
    for (const p of ptrs) if (p) this.heap.free(p);
  }

  conv2d(
    p: Conv2dParams, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    nStart = 0, nEnd = p.N, kStart = 0, kEnd = p.K, oyStart = 0, oyEnd = p.outH, scratch?: Scratch,
  ): void {
    if (nEnd <= nStart || kEnd <= kStart || oyEnd <= oyStart) return;
    if (kStart !== 0 || kEnd !== p.K || oyStart !== 0 || oyEnd !== p.outH) {
      js.conv2d(p, x, w, bias, y, nStart, nEnd, kStart, kEnd, oyStart, oyEnd, scratch);
      return;
    }
    const n = nEnd - nStart;
    const xImg = p.C * p.inH * p.inW;
    const yImg = p.K * p.outH * p.outW;
    const q: Conv2dParams = { ...p, N: n };
    const plan = planConv2d(this.k, q);
    const xp = this.#put(x, nStart * xImg, n * xImg);
    const wp = this.#put(w, 0, w.length);
    const bp = bias ? this.#put(bias, 0, p.K) : 0;
    const yp = this.heap.alloc(n * yImg * 4);
    const ws = this.#workspace(plan.workspaceBytes);
    conv2dForward(this.k, q, xp, wp, bp, yp, 0, n, ws, plan);
    y.set(this.heap.f32(yp, n * yImg), nStart * yImg);
    this.#free(xp, wp, bp, yp);
  }

  conv2dBackwardData(
    p: Conv2dParams, w: Float32Array, dy: Float32Array, dx: Float32Array,
    nStart = 0, nEnd = p.N, cStart = 0, cEnd = p.C, scratch?: Scratch,
  ): void {
    if (nEnd <= nStart || cEnd <= cStart) return;
    if (cStart !== 0 || cEnd !== p.C) {
      js.conv2dBackwardData(p, w, dy, dx, nStart, nEnd, cStart, cEnd, scratch);
      return;
    }
    const n = nEnd - nStart;
    const xImg = p.C * p.inH * p.inW;
    const yImg = p.K * p.outH * p.outW;
    const q: Conv2dParams = { ...p, N: n };
    const wsBytes = conv2dBackwardDataWorkspaceBytes(this.k, q);
    const wp = this.#put(w, 0, w.length);
    const dyp = this.#put(dy, nStart * yImg, n * yImg);
    const dxp = this.heap.alloc(n * xImg * 4);
    const ws = this.#workspace(wsBytes);
    conv2dBackwardData(this.k, q, wp, dyp, dxp, 0, n, ws);
    dx.set(this.heap.f32(dxp, n * xImg), nStart * xImg);
    this.#free(wp, dyp, dxp);
  }

  conv2dBackwardFilter(
    p: Conv2dParams, x: Float32Array, dy: Float32Array, dw: Float32Array,
    kStart = 0, kEnd = p.K, cgStart = 0, cgEnd = p.C / p.groups, scratch?: Scratch,
  ): void {
    if (kEnd <= kStart || cgEnd <= cgStart) return;
    void scratch;
    const Cg = p.C / p.groups;
    const RS = p.kH * p.kW;
    const rowLen = Cg * RS;
    const wsBytes = conv2dBackwardFilterWorkspaceBytes(this.k, p);
    const xp = this.#put(x, 0, p.N * p.C * p.inH * p.inW);
    const dyp = this.#put(dy, 0, p.N * p.K * p.outH * p.outW);
    const dwp = this.heap.alloc(p.K * rowLen * 4);
    const ws = this.#workspace(wsBytes);
    conv2dBackwardFilter(this.k, p, xp, dyp, dwp, kStart, kEnd, ws, cgStart, cgEnd);
    if (cgStart === 0 && cgEnd === Cg) {
      dw.set(this.heap.f32(dwp + kStart * rowLen * 4, (kEnd - kStart) * rowLen), kStart * rowLen);
    } else {
      const len = (cgEnd - cgStart) * RS;
      for (let r = kStart; r < kEnd; r++) {
        const o = r * rowLen + cgStart * RS;
        dw.set(this.heap.f32(dwp + o * 4, len), o);
      }
    }
    this.#free(xp, dyp, dwp);
  }

  gemm(
    p: GemmParams, a: Float32Array, b: Float32Array, c0: Float32Array | null, bias: Float32Array | null, out: Float32Array,
    rowStart = 0, rowEnd = p.m, colStart = 0, colEnd = p.n, scratch?: Scratch,
  ): void {
    if (rowEnd <= rowStart || colEnd <= colStart) return;
    if (colStart !== 0 || colEnd !== p.n) {
      js.gemm(p, a, b, c0, bias, out, rowStart, rowEnd, colStart, colEnd, scratch);
      return;
    }
    const rows = rowEnd - rowStart;
    // a sub-problem of `rows` rows: A rows [rowStart,rowEnd) (transA: all of A, offset by columns)
    const q: GemmParams = { ...p, m: p.transA ? p.m : rows };
    const ap = p.transA ? this.#put(a, 0, p.k * p.m) : this.#put(a, rowStart * p.k, rows * p.k);
    const bp = this.#put(b, 0, p.k * p.n);
    const cp = c0 && p.beta !== 0 ? this.#put(c0, rowStart * p.n, rows * p.n) : 0;
    const biasp = bias ? this.#put(bias, 0, p.n) : 0;
    const op = this.heap.alloc(rows * p.n * 4);
    const ws = this.#workspace(this.k.gemmWorkspaceBytes + 64);
    if (p.transA) {
      // rows [rowStart,rowEnd) of op(A) = columns of A: let the driver offset them, then shift C
      const full = this.heap.alloc(p.m * p.n * 4);
      const cfull = cp ? this.heap.alloc(p.m * p.n * 4) : 0;
      if (cp) this.heap.f32(cfull + rowStart * p.n * 4, rows * p.n).set(this.heap.f32(cp, rows * p.n));
      gemmDriver(this.k, q, ap, bp, cfull, biasp, full, rowStart, rowEnd, ws);
      out.set(this.heap.f32(full + rowStart * p.n * 4, rows * p.n), rowStart * p.n);
      this.#free(full, cfull);
    } else {
      gemmDriver(this.k, q, ap, bp, cp, biasp, op, 0, rows, ws);
      out.set(this.heap.f32(op, rows * p.n), rowStart * p.n);
    }
    this.#free(ap, bp, cp, biasp, op);
  }

  /**
   * Planes go through wasm memory in chunks of about MAXPOOL_CHUNK_BYTES of input, in one reused
   * block: the copy in, the kernel and the copies out stay in this core's cache, so the op streams
   * x, y and the indices through main memory once (one whole-range copy into a fresh block made the
   * threaded op slower than one thread).
   */
  maxpool2d(p: MaxPool2dParams, x: Float32Array, y: Float32Array, indices: Int32Array, planeStart = 0, planeEnd = p.N * p.C): void {
    const planes = planeEnd - planeStart;
    if (planes <= 0) return;
    const plane = p.inH * p.inW;
    const oplane = p.outH * p.outW;
    const chunk = Math.max(1, Math.min(planes, Math.floor(MAXPOOL_CHUNK_BYTES / (plane * 4))));
    const ws = this.#workspace(chunk * (plane + 2 * oplane) * 4);
    const xp = ws.ptr;
    const yp = xp + chunk * plane * 4;
    const ip = yp + chunk * oplane * 4;
    for (let c0 = planeStart; c0 < planeEnd; c0 += chunk) {
      const n = Math.min(chunk, planeEnd - c0);
      this.heap.f32(xp, n * plane).set(x.subarray(c0 * plane, (c0 + n) * plane));
      this.k.exports.maxpoolPlanes(
        xp, n, p.inH, p.inW, p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
        p.outH, p.outW, yp, ip, c0 * plane,
      );
      y.set(this.heap.f32(yp, n * oplane), c0 * oplane);
      indices.set(this.heap.i32(ip, n * oplane), c0 * oplane);
    }
  }

  /** Bytes of this thread's wasm memory. */
  get memoryBytes(): number {
    return this.heap.memoryBytes;
  }
}

/** One WasmRawKernels per thread (check `simdSupported()` from @convkit/wasm-kernels first; without SIMD keep the js kernels). */
export function createWasmRawKernels(): WasmRawKernels {
  return new WasmRawKernels();
}
