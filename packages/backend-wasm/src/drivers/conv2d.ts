import type { Conv2dParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';
import * as js from '@convkit/backend-js/kernels';
import { Carver, f32, flipInto, imagesPerGemm, isPointwise, rowsPerChunk, type Workspace } from './workspace.js';

/**
 * Which algorithm conv2dForward uses for `p` (decided from p only). Direct depthwise needs one
 * input channel per group AND at most 2 filters per group: with more filters per group the GEMM
 * (m = K/groups rows) is faster (workload B, C = 1 K = 32 5x5: direct 3.6 GFLOP/s, GEMM ~20).
 */
export function conv2dPath(p: Conv2dParams): 'depthwise' | 'pointwise' | 'winograd' | 'im2col' {
  if (p.C / p.groups === 1 && p.K / p.groups <= 2 && p.padMode === 'zeros') return 'depthwise';
  if (isPointwise(p)) return 'pointwise';
  if (useWinograd(p)) return 'winograd';
  return 'im2col';
}

/**
 * Winograd F(2x2, 3x3) applies: 3x3, stride 1, dilation 1, one group, zero padding, and enough
 * channels for its 16 GEMMs (M = K, depth = C) to run near the micro-kernel's peak. Depends on p
 * only. Images or filters with an Inf or NaN still take im2col (see conv2dForward).
 */
export function useWinograd(p: Conv2dParams): boolean {
  return (
    p.kH === 3 && p.kW === 3 && p.strideH === 1 && p.strideW === 1 && p.dilationH === 1 && p.dilationW === 1 &&
    p.groups === 1 && p.padMode === 'zeros' && p.C >= 8 && p.K >= 8 && p.outH >= 2 && p.outW >= 2
  );
}

/** Floats of one Winograd chunk (V + M of a band of tile rows): 2 MB (A forward, one thread: 1 MB 58.9, 2 MB 62.2, 4 MB 62.7 GFLOP/s). */
const WINO_CHUNK = 1 << 19;

function winogradRows(p: Conv2dParams): number {
  const tilesW = (p.outW + 1) >> 1;
  const tilesH = (p.outH + 1) >> 1;
  return Math.max(1, Math.min(tilesH, Math.floor(WINO_CHUNK / (16 * (p.C + p.K) * tilesW))));
}

function winogradBytes(p: Conv2dParams, rows: number): number {
  const T = rows * ((p.outW + 1) >> 1);
  return 16 * p.K * p.C * 4 + 64 + 16 * p.C * T * 4 + 64 + 16 * p.K * T * 4 + 64;
}

export type Conv2dPath = ReturnType<typeof conv2dPath>;

/**
 * How conv2dForward computes `p`, decided once (planConv2d) and passed down: the path, its chunk
 * sizes and the workspace it needs. Depends on p (and the kernels' GEMM workspace) only.
 */
export interface Conv2dPlan {
  readonly path: Conv2dPath;
  /** im2col path: images side by side in one GEMM (1: one image, in chunks of output rows). */
  readonly imagesPerGemm: number;
  /** im2col path with one image per GEMM: output rows per im2col chunk. */
  readonly rowsPerChunk: number;
  /** Winograd path: tile rows per band. */
  readonly winogradRows: number;
  /** Winograd path: the im2col plan an image (or filter set) with an Inf or NaN takes; else null. */
  readonly fallback: Conv2dPlan | null;
  /** Workspace bytes conv2dForward needs with this plan (the fallback's included). */
  readonly workspaceBytes: number;
}

/** The plan of conv2dForward for `p`; `winograd` false: Winograd replaced by im2col (the Inf/NaN fallback). */
export function planConv2d(k: WasmKernels, p: Conv2dParams, winograd = true): Conv2dPlan {
  const chosen = conv2dPath(p);
  const path = chosen === 'winograd' && !winograd ? 'im2col' : chosen;
  const CgRS = (p.C / p.groups) * p.kH * p.kW;
  let b = k.gemmWorkspaceBytes + 64;
  if (p.flip) b += p.K * CgRS * 4 + 64;
  let nb = 1;
  let rows = 0;
  let wRows = 0;
  let fallback: Conv2dPlan | null = null;
  if (path === 'im2col') {
    nb = imagesPerGemm(p);
    if (nb > 1) b += (CgRS + p.K) * nb * p.outH * p.outW * 4 + 128;
    else {
      rows = rowsPerChunk(p);
      b += CgRS * rows * p.outW * 4 + 64;
    }
  }
  if (path === 'winograd') {
    // U, V, M, then the im2col fallback's own workspace for images with an Inf or NaN
    wRows = winogradRows(p);
    fallback = planConv2d(k, p, false);
    b += winogradBytes(p, wRows) + fallback.workspaceBytes + 64;
  }
  return Object.freeze({ path, imagesPerGemm: nb, rowsPerChunk: rows, winogradRows: wRows, fallback, workspaceBytes: b });
}

/**
 * conv2d forward of images [nStart, nEnd): y[n] = W * im2col(x[n]) + b, per group. Pointers are
 * byte offsets of whole tensors: x [N,C,H,W], w [K,C/groups,kH,kW], bias [K] (0 = none),
 * y [N,K,outH,outW]. Writes only y[n] for n in the range, so batch ranges can run concurrently.
 *
 * Paths: depthwise (C/groups = 1, zero padding) = direct SIMD kernel per plane; 1x1/stride 1/no
 * padding = SIMD GEMM straight on the image; else im2col (wasm for zero padding, the js kernel
 * on views of the same memory for replicate/circular/reflect) of output-row chunks + SIMD GEMM.
 */
export function conv2dForward(
  k: WasmKernels,
  p: Conv2dParams,
  x: number,
  w: number,
  bias: number,
  y: number,
  nStart: number,
  nEnd: number,
  ws: Workspace,
  plan: Conv2dPlan,
): void {
  const e = k.exports;
  const { C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const RS = kH * kW;
  const CgRS = Cg * RS;
  const plane = inH * inW;
  const outHW = outH * outW;
  const cv = new Carver(ws);
  const gws = cv.take(k.gemmWorkspaceBytes);
  const wf = p.flip ? flipInto(k, p, w, cv.take(K * CgRS * 4)) : w;
  const path = plan.path;
  if (path === 'winograd') {
    winogradForward(k, p, plan, x, wf, bias, y, nStart, nEnd, cv, gws, w, ws);
    return;
  }
  if (path === 'depthwise') {
    const bv = bias ? f32(k, bias, K) : null;
    for (let n = nStart; n < nEnd; n++) {
      for (let oc = 0; oc < K; oc++) {
        const g = Math.floor(oc / Kg);
        e.depthwisePlane(
          x + (n * C + g) * plane * 4, inH, inW, wf + oc * RS * 4, bv ? bv[oc]! : 0,
          kH, kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
          outH, outW, y + (n * K + oc) * outHW * 4,
        );
      }
    }
    return;
  }
  if (path === 'pointwise') {
    for (let n = nStart; n < nEnd; n++) {
      for (let g = 0; g < groups; g++) {
        e.sgemm(
          Kg, outHW, Cg, 1,
          wf + g * Kg * Cg * 4, Cg, 1,
          x + (n * C + g * Cg) * plane * 4, outHW, 1,
          0, y + (n * K + g * Kg) * outHW * 4, outHW, gws,
        );
      }
      if (bias) e.addBiasRows(y + n * K * outHW * 4, K, outHW, outHW, bias);
    }
    return;
  }
  const nb = plan.imagesPerGemm;
  if (nb > 1) {
    // several small images per GEMM: columns side by side, result rows copied out per image
    const cols = cv.take(CgRS * nb * outHW * 4);
    const tmp = cv.take(K * nb * outHW * 4);
    for (let n0 = nStart; n0 < nEnd; n0 += nb) {
      const cnt = Math.min(nb, nEnd - n0);
      const ld = cnt * outHW;
      for (let j = 0; j < cnt; j++) {
        const xn = x + (n0 + j) * C * plane * 4;
        if (p.padMode === 'zeros') {
          e.im2colImage(
            xn, inH, inW, kH, kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
            outW, 0, C, 0, outH, cols + j * outHW * 4, ld,
          );
        } else {
          js.im2colImage(p, p.padMode, f32(k, xn, C * plane), 0, f32(k, cols, CgRS * ld), j * outHW, ld, 0, C, 0, outH);
        }
      }
      e.sgemm(K, ld, CgRS, 1, wf, CgRS, 1, cols, ld, 1, 0, tmp, ld, gws);
      e.splitImages(tmp, ld, K, outHW, cnt, y + n0 * K * outHW * 4, bias);
    }
    return;
  }
  const rows = plan.rowsPerChunk;
  const cols = cv.take(CgRS * rows * outW * 4);
  for (let n = nStart; n < nEnd; n++) {
    for (let g = 0; g < groups; g++) {
      for (let oy0 = 0; oy0 < outH; oy0 += rows) {
        const oy1 = Math.min(outH, oy0 + rows);
        const ld = (oy1 - oy0) * outW;
        const xn = x + n * C * plane * 4;
        if (p.padMode === 'zeros') {
          e.im2colImage(
            xn, inH, inW, kH, kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
            outW, g * Cg, (g + 1) * Cg, oy0, oy1, cols, ld,
          );
        } else {
          js.im2colImage(p, p.padMode, f32(k, xn, C * plane), 0, f32(k, cols, CgRS * ld), 0, ld, g * Cg, (g + 1) * Cg, oy0, oy1);
        }
        e.sgemm(
          Kg, ld, CgRS, 1,
          wf + g * Kg * CgRS * 4, CgRS, 1,
          cols, ld, 1,
          0, y + ((n * K + g * Kg) * outHW + oy0 * outW) * 4, outHW, gws,
        );
      }
    }
    if (bias) e.addBiasRows(y + n * K * outHW * 4, K, outHW, outHW, bias);
  }
}

/**
 * The Winograd path of conv2dForward: per image, bands of tile rows: input transform, 16 SIMD
 * GEMMs M[xi] (K x T) = U[xi] (K x C) * V[xi] (C x T), output transform (+ bias). An image (or
 * filter set) with an Inf or NaN takes im2col instead, so IEEE results match the direct sums
 * (Winograd's transforms would turn one Inf into NaNs around it).
 */
function winogradForward(
  k: WasmKernels, p: Conv2dParams, plan: Conv2dPlan, x: number, wf: number, bias: number, y: number,
  nStart: number, nEnd: number, cv: Carver, gws: number, w: number, ws: Workspace,
): void {
  const e = k.exports;
  const { C, K, inH, inW, outH, outW } = p;
  const plane = inH * inW;
  const outHW = outH * outW;
  const tilesW = (outW + 1) >> 1;
  const tilesH = (outH + 1) >> 1;
  const rows = plan.winogradRows;
  const U = cv.take(16 * K * C * 4);
  const V = cv.take(16 * C * rows * tilesW * 4);
  const M = cv.take(16 * K * rows * tilesW * 4);
  const restPtr = cv.take(0);
  const rest: Workspace = { ptr: restPtr, bytes: ws.ptr + ws.bytes - restPtr };
  const wOk = e.allFinite(wf, K * C * 9) === 1;
  if (wOk) e.winogradFilter(wf, K, C, U);
  for (let n = nStart; n < nEnd; n++) {
    const xn = x + n * C * plane * 4;
    if (!wOk || e.allFinite(xn, C * plane) !== 1) {
      conv2dForward(k, p, x, w, bias, y, n, n + 1, rest, plan.fallback!);
      continue;
    }
    const yn = y + n * K * outHW * 4;
    for (let tr = 0; tr < tilesH; tr += rows) {
      const trEnd = Math.min(tilesH, tr + rows);
      const T = (trEnd - tr) * tilesW;
      e.winogradInput(xn, inH, inW, C, p.padTop, p.padLeft, tilesW, tr, trEnd, V, T);
      for (let xi = 0; xi < 16; xi++) {
        e.sgemm(K, T, C, 1, U + xi * K * C * 4, C, 1, V + xi * C * T * 4, T, 1, 0, M + xi * K * T * 4, T, gws);
      }
      e.winogradOutput(M, K, T, tilesW, tr, trEnd, outH, outW, yn, bias);
    }
  }
}
