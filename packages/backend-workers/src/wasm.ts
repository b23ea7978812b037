/**
 * Worker side of the WebAssembly SIMD kernels: one `WasmRawKernels` (@convkit/backend-wasm/internal)
 * per worker, plus the sub-problem adapters that let the ranges the drivers do not split by
 * natively run in wasm too:
 *
 * - conv2d forward over an output-row range (zero padding): the input rows the range reads are
 *   gathered into a smaller image whose `padTop` / `padBottom` are adjusted, so batch 1 (workload C)
 *   splits over the workers without repeating im2col;
 * - conv2d dx over an input-channel range (groups = 1): dx[:, c0:c1] = col2im(W[:, c0:c1]^T dy),
 *   the filters' channel slice gathered into a [K, c1-c0, kH, kW] block.
 *
 * Every call returns true when wasm computed the range, false when the caller must run the js kernel
 * (the worker reports which one ran per task).
 */
import type { AvgPool2dParams, Conv2dParams, GemmParams, GlobalPool2dParams, MaxPool2dParams } from '@convkit/core';
import { avgpoolDivisors } from '@convkit/backend-js/kernels';
import { WasmRawKernels, conv2dForward, planConv2d } from '@convkit/backend-wasm/internal';
import { simdUnavailableReason } from '@convkit/wasm-kernels';
import { prof } from './prof.js';

type F = Float32Array;

/** Starts the wasm kernels in this thread, or says why they cannot run (`simulateNoSimd`: test hook). */
export function startWasmKernels(simulateNoSimd: boolean): { kernels: WorkerWasmKernels } | { reason: string } {
  if (simulateNoSimd) return { reason: 'WebAssembly SIMD probe disabled by the simulateNoSimd test hook' };
  const why = simdUnavailableReason();
  if (why) return { reason: why };
  try {
    return { kernels: new WorkerWasmKernels() };
  } catch (e) {
    return { reason: `the wasm kernels failed to instantiate: ${(e as Error).message}` };
  }
}

export class WorkerWasmKernels {
  readonly raw = new WasmRawKernels();
  #ws = 0;
  #wsBytes = 0;

  conv2d(p: Conv2dParams, x: F, w: F, bias: F | null, y: F, n0: number, n1: number, k0: number, k1: number, oy0: number, oy1: number): boolean {
    if (n1 <= n0 || k1 <= k0 || oy1 <= oy0) return true;
    if (k0 !== 0 || k1 !== p.K) return false;
    const whole = oy0 === 0 && oy1 === p.outH;
    if (!whole && p.padMode !== 'zeros') return false;
    const n = n1 - n0;
    let q: Conv2dParams = { ...p, N: n };
    let r0 = 0;
    let rows = p.inH;
    if (!whole) {
      // output rows [oy0, oy1) read input rows [lo, hi) (outside [0, inH) = zero padding)
      const lo = oy0 * p.strideH - p.padTop;
      const hi = (oy1 - 1) * p.strideH - p.padTop + p.dilationH * (p.kH - 1) + 1;
      r0 = Math.max(0, lo);
      const r1 = Math.min(p.inH, hi);
      if (r1 <= r0) return false; // the rows see only padding: let the js kernel write the bias
      rows = r1 - r0;
      q = { ...q, inH: rows, padTop: r0 - lo, padBottom: Math.max(0, hi - r1), outH: oy1 - oy0 };
    }
    // the task's images (or their input rows) go straight from the shared tensor into this
    // worker's wasm memory, and its output range straight back: no intermediate arrays
    const { heap, k } = this.raw;
    const { C, K, inW } = p;
    const inPlane = rows * inW;
    const L = q.outH * q.outW;
    const xp = heap.alloc(n * C * inPlane * 4);
    const wp = heap.alloc(w.length * 4);
    const bp = bias ? heap.alloc(K * 4) : 0;
    const yp = heap.alloc(n * K * L * 4);
    const plan = planConv2d(k, q);
    const ws = this.#workspace(plan.workspaceBytes);
    // views only after every allocation (the memory may have grown)
    const xv = heap.f32(xp, n * C * inPlane);
    const xImg = C * p.inH * inW;
    if (whole) xv.set(x.subarray(n0 * xImg, n1 * xImg));
    else {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < C; c++) {
          const src = (n0 + i) * xImg + c * p.inH * inW + r0 * inW;
          xv.set(x.subarray(src, src + inPlane), (i * C + c) * inPlane);
        }
      }
    }
    heap.f32(wp, w.length).set(w);
    if (bias) heap.f32(bp, K).set(bias.subarray(0, K));
    prof.mark();
    conv2dForward(k, q, xp, wp, bp, yp, 0, n, ws, plan);
    prof.mark();
    const yv = heap.f32(yp, n * K * L);
    if (whole) y.set(yv, n0 * K * L);
    else {
      const outHW = p.outH * p.outW;
      for (let i = 0; i < n; i++) {
        for (let kk = 0; kk < K; kk++) {
          y.set(yv.subarray((i * K + kk) * L, (i * K + kk + 1) * L), ((n0 + i) * K + kk) * outHW + oy0 * p.outW);
        }
      }
    }
    prof.mark();
    heap.free(xp);
    heap.free(wp);
    if (bp) heap.free(bp);
    heap.free(yp);
    return true;
  }

  /** This worker's driver workspace (grown on demand, kept across tasks). */
  #workspace(bytes: number): { ptr: number; bytes: number } {
    if (this.#wsBytes < bytes) {
      if (this.#ws) this.raw.heap.free(this.#ws);
      this.#ws = this.raw.heap.alloc(bytes);
      this.#wsBytes = bytes;
    }
    return { ptr: this.#ws, bytes: this.#wsBytes };
  }

  conv2dBackwardData(p: Conv2dParams, w: F, dy: F, dx: F, n0: number, n1: number, c0: number, c1: number): boolean {
    if (n1 <= n0 || c1 <= c0) return true;
    if (c0 === 0 && c1 === p.C) {
      this.raw.conv2dBackwardData(p, w, dy, dx, n0, n1);
      return true;
    }
    if (p.groups !== 1) return false;
    const RS = p.kH * p.kW;
    const cs = c1 - c0;
    const ws = new Float32Array(p.K * cs * RS);
    for (let k = 0; k < p.K; k++) ws.set(w.subarray((k * p.C + c0) * RS, (k * p.C + c1) * RS), k * cs * RS);
    const n = n1 - n0;
    const HW = p.inH * p.inW;
    const yImg = p.K * p.outH * p.outW;
    const q: Conv2dParams = { ...p, N: n, C: cs };
    const dxs = new Float32Array(n * cs * HW);
    this.raw.conv2dBackwardData(q, ws, dy.subarray(n0 * yImg, n1 * yImg), dxs, 0, n);
    for (let i = 0; i < n; i++) dx.set(dxs.subarray(i * cs * HW, (i + 1) * cs * HW), ((n0 + i) * p.C + c0) * HW);
    return true;
  }

  conv2dBackwardFilter(p: Conv2dParams, x: F, dy: F, dw: F, k0: number, k1: number, cg0: number, cg1: number): boolean {
    if (k1 <= k0 || cg1 <= cg0) return true;
    this.raw.conv2dBackwardFilter(p, x, dy, dw, k0, k1, cg0, cg1);
    return true;
  }

  gemm(p: GemmParams, a: F, b: F, c0: F | null, bias: F | null, out: F, r0: number, r1: number, col0: number, col1: number): boolean {
    if (r1 <= r0 || col1 <= col0) return true;
    if (col0 !== 0 || col1 !== p.n) return false;
    this.raw.gemm(p, a, b, c0, bias, out, r0, r1);
    return true;
  }

  maxpool2d(p: MaxPool2dParams, x: F, y: F, indices: Int32Array, plane0: number, plane1: number): boolean {
    this.raw.maxpool2d(p, x, y, indices, plane0, plane1);
    return true;
  }

  /**
   * Average pooling of planes [plane0, plane1): the task's planes copied into this worker's wasm
   * memory, the wasm `avgpoolPlanes` on them with the js kernel's divisors as float32 (as the wasm
   * backend calls it; every plane is computed on its own, so any plane split gives its bits).
   */
  avgpool2d(p: AvgPool2dParams, x: F, y: F, plane0: number, plane1: number): boolean {
    const n = plane1 - plane0;
    if (n <= 0) return true;
    const { heap, k } = this.raw;
    const inPlane = p.inH * p.inW;
    const L = p.outH * p.outW;
    const divBytes = Math.ceil((L * 4) / 64) * 64;
    const xp = heap.alloc(n * inPlane * 4);
    const yp = heap.alloc(n * L * 4);
    const ws = this.#workspace(divBytes + p.inW * 4 + 16);
    heap.f32(xp, n * inPlane).set(x.subarray(plane0 * inPlane, plane1 * inPlane));
    heap.f32(ws.ptr, L).set(avgpoolDivisors(p));
    prof.mark();
    k.exports.avgpoolPlanes(
      xp, n, p.inH, p.inW,
      p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
      p.outH, p.outW, ws.ptr, ws.ptr + divBytes, yp,
    );
    prof.mark();
    y.set(heap.f32(yp, n * L), plane0 * L);
    heap.free(xp);
    heap.free(yp);
    return true;
  }

  /** Means of planes [plane0, plane1): the wasm `globalAvgPlanes` (per plane, as the wasm backend) on the copied planes. */
  globalAvgPool2d(p: GlobalPool2dParams, x: F, y: F, plane0: number, plane1: number): boolean {
    const n = plane1 - plane0;
    if (n <= 0) return true;
    const { heap, k } = this.raw;
    const P = p.H * p.W;
    const xp = heap.alloc(n * P * 4);
    const yp = heap.alloc(n * 4);
    heap.f32(xp, n * P).set(x.subarray(plane0 * P, plane1 * P));
    prof.mark();
    k.exports.globalAvgPlanes(xp, n, P, yp);
    prof.mark();
    y.set(heap.f32(yp, n), plane0);
    heap.free(xp);
    heap.free(yp);
    return true;
  }
}
