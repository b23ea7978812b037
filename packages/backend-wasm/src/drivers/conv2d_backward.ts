import type { Conv2dParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';
import * as js from '@convkit/backend-js/kernels';
import { Carver, f32, flipInto, isPointwise, rowsPerChunk, type Workspace } from './workspace.js';
import { conv2dForward, planConv2d, useWinograd } from './conv2d.js';

/**
 * The forward conv whose output is dL/dx when it can run on the Winograd path (zero padding, 3x3,
 * stride 1, dilation 1, one group, pads <= 2, enough channels): dx = conv(dy, W') with
 * W'[c, k] = rot180(W[k, c]) and padding 2 - pad, the exact adjoint. Else null. Depends on p only.
 */
export function transposedConv(p: Conv2dParams): Conv2dParams | null {
  if (!useWinograd(p) || p.padTop > 2 || p.padLeft > 2) return null;
  const pt = js.transposedConvParams(p);
  return useWinograd(pt) ? pt : null;
}

function depthwise(p: Conv2dParams): boolean {
  return p.C / p.groups === 1;
}

/**
 * Depthwise dx as a direct SIMD conv: with stride 1, zero padding and one filter per group,
 * dx[c] = dy[c] correlated with the spatially flipped filter, window offset (k-1)*d - pad.
 */
function depthwiseDataDirect(p: Conv2dParams): boolean {
  return depthwise(p) && p.K === p.groups && p.strideH === 1 && p.strideW === 1 && p.padMode === 'zeros';
}

/** Workspace bytes conv2dBackwardData needs. */
export function conv2dBackwardDataWorkspaceBytes(k: WasmKernels, p: Conv2dParams): number {
  const CgRS = (p.C / p.groups) * p.kH * p.kW;
  if (depthwiseDataDirect(p)) return p.K * CgRS * 4 + 64;
  const pt = transposedConv(p);
  if (pt) return p.K * CgRS * 4 + 64 + planConv2d(k, pt).workspaceBytes;
  let b = k.gemmWorkspaceBytes + 64;
  if (p.flip) b += p.K * CgRS * 4 + 64;
  if (!isPointwise(p)) b += CgRS * p.outH * p.outW * 4 + 64;
  return b;
}

/**
 * dL/dx of images [nStart, nEnd): dx[n] = col2im(W^T * dy[n]) per group (W^T * dy by the SIMD
 * GEMM reading W transposed through strides; col2im in wasm for zero padding, the js kernel on
 * views for the other pad modes). 1x1/stride 1/no padding: dx[n] = W^T * dy[n] directly.
 * Depthwise (C/groups = 1) with stride 1, zero padding, one filter per group: the direct SIMD
 * depthwise kernel on dy with the flipped filters; other depthwise cases: the js direct-scatter
 * kernel on views of the same memory (a GEMM with one-row filters would be slower). Overwrites dx[n].
 * 3x3 / stride 1 / zero padding with enough channels (transposedConv): the forward Winograd path on
 * dy with the transposed, rotated filters (2.25x fewer multiplications than W^T * dy + col2im).
 */
export function conv2dBackwardData(
  k: WasmKernels,
  p: Conv2dParams,
  w: number,
  dy: number,
  dx: number,
  nStart: number,
  nEnd: number,
  ws: Workspace,
): void {
  const e = k.exports;
  const { C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const CgRS = Cg * kH * kW;
  const plane = inH * inW;
  const outHW = outH * outW;
  if (depthwiseDataDirect(p)) {
    // the forward used flip(w) when p.flip, so dx needs flip(flip(w)) = w, else flip(w)
    const wr = p.flip ? w : flipInto(k, { ...p, flip: true }, w, new Carver(ws).take(K * CgRS * 4));
    const ptH = (kH - 1) * p.dilationH - p.padTop;
    const ptW = (kW - 1) * p.dilationW - p.padLeft;
    for (let n = nStart; n < nEnd; n++) {
      for (let c = 0; c < C; c++) {
        e.depthwisePlane(
          dy + (n * K + c) * outHW * 4, outH, outW, wr + c * CgRS * 4, 0,
          kH, kW, 1, 1, p.dilationH, p.dilationW, ptH, ptW, inH, inW, dx + (n * C + c) * plane * 4,
        );
      }
    }
    return;
  }
  const pt = transposedConv(p);
  if (pt) {
    // W'[c, k] = rot180 of the filter the forward used (flip(w) when p.flip, whose rot180 is w)
    const cv = new Carver(ws);
    const wtp = cv.take(K * CgRS * 4);
    const RS = kH * kW;
    const src = f32(k, w, K * CgRS);
    const wt = f32(k, wtp, K * CgRS);
    for (let c = 0; c < C; c++) {
      for (let kk = 0; kk < K; kk++) {
        const s0 = (kk * C + c) * RS;
        const d0 = (c * K + kk) * RS;
        if (p.flip) for (let i = 0; i < RS; i++) wt[d0 + i] = src[s0 + i]!;
        else for (let i = 0; i < RS; i++) wt[d0 + i] = src[s0 + RS - 1 - i]!;
      }
    }
    const rest = cv.take(0);
    conv2dForward(k, pt, dy, wtp, 0, dx, nStart, nEnd, { ptr: rest, bytes: ws.ptr + ws.bytes - rest }, planConv2d(k, pt));
    return;
  }
  if (depthwise(p)) {
    js.conv2dBackwardData(p, f32(k, w, K * CgRS), f32(k, dy, p.N * K * outHW), f32(k, dx, p.N * C * plane), nStart, nEnd, 0, C);
    return;
  }
  const cv = new Carver(ws);
  const gws = cv.take(k.gemmWorkspaceBytes);
  const wf = p.flip ? flipInto(k, p, w, cv.take(K * CgRS * 4)) : w;
  if (isPointwise(p)) {
    for (let n = nStart; n < nEnd; n++) {
      for (let g = 0; g < groups; g++) {
        e.sgemm(
          Cg, outHW, Kg, 1,
          wf + g * Kg * Cg * 4, 1, Cg,
          dy + (n * K + g * Kg) * outHW * 4, outHW, 1,
          0, dx + (n * C + g * Cg) * plane * 4, outHW, gws,
        );
      }
    }
    return;
  }
  const cols = cv.take(CgRS * outHW * 4);
  for (let n = nStart; n < nEnd; n++) {
    for (let g = 0; g < groups; g++) {
      e.sgemm(
        CgRS, outHW, Kg, 1,
        wf + g * Kg * CgRS * 4, 1, CgRS,
        dy + (n * K + g * Kg) * outHW * 4, outHW, 1,
        0, cols, outHW, gws,
      );
      const dxn = dx + n * C * plane * 4;
      if (p.padMode === 'zeros') {
        e.col2imImage(
          cols, outHW, inH, inW, kH, kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
          outH, outW, g * Cg, (g + 1) * Cg, dxn,
        );
      } else {
        js.col2imImage(p, p.padMode, f32(k, cols, CgRS * outHW), 0, outHW, f32(k, dxn, C * plane), 0, g * Cg, (g + 1) * Cg);
      }
    }
  }
}

/** Workspace bytes conv2dBackwardFilter needs. */
export function conv2dBackwardFilterWorkspaceBytes(k: WasmKernels, p: Conv2dParams): number {
  const CgRS = (p.C / p.groups) * p.kH * p.kW;
  let b = k.gemmWorkspaceBytes + 64;
  if (!isPointwise(p)) b += CgRS * rowsPerChunk(p) * p.outW * 4 + 64;
  return b;
}

/**
 * dL/dW rows [kStart, kEnd) (output channels; a range may span groups): dW = sum over the WHOLE
 * batch of dy[n] * im2col(x[n])^T, one SIMD GEMM per image and output-row chunk (dy rows read in
 * place, the im2col chunk read transposed through strides, accumulating with beta = 1).
 * 1x1/stride 1/no padding: B is the image itself. Zeroes then writes dw[k] for the range; with
 * p.flip the gradient is returned for the stored (un-flipped) filter layout.
 * [cgStart, cgEnd): the input channels (within each group) whose filter taps to compute: a split
 * by input channel (the workers backend's) im2cols only its own channels, so two tasks never
 * repeat each other's im2col. Every entry is the same sum in the same order whatever the split.
 */
export function conv2dBackwardFilter(
  k: WasmKernels,
  p: Conv2dParams,
  x: number,
  dy: number,
  dw: number,
  kStart: number,
  kEnd: number,
  ws: Workspace,
  cgStart = 0,
  cgEnd = p.C / p.groups,
): void {
  if (kEnd <= kStart || cgEnd <= cgStart) return;
  const e = k.exports;
  const { N, C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const RS = kH * kW;
  const CgRS = Cg * RS;
  const plane = inH * inW;
  const outHW = outH * outW;
  if (depthwise(p) && p.padMode === 'zeros') {
    // direct: one SIMD dot product per tap and image, summed over the batch in order
    for (let oc = kStart; oc < kEnd; oc++) {
      const g = Math.floor(oc / Kg);
      for (let n = 0; n < N; n++) {
        e.depthwiseFilterGradPlane(
          x + (n * C + g) * plane * 4, inH, inW, dy + (n * K + oc) * outHW * 4, outH, outW,
          kH, kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
          dw + oc * RS * 4, n === 0 ? 0 : 1,
        );
      }
      if (N === 0) f32(k, dw + oc * RS * 4, RS).fill(0);
    }
    flipRows(k, p, dw, kStart, kEnd, 0, 1);
    return;
  }
  const cn = cgEnd - cgStart;
  const cv = new Carver(ws);
  const gws = cv.take(k.gemmWorkspaceBytes);
  const pointwise = isPointwise(p);
  const rows = rowsPerChunk(p);
  const cols = pointwise ? 0 : cv.take(CgRS * rows * outW * 4);
  for (let g = Math.floor(kStart / Kg); g * Kg < kEnd; g++) {
    const k0 = Math.max(kStart, g * Kg);
    const k1 = Math.min(kEnd, (g + 1) * Kg);
    const dwg = dw + (k0 * CgRS + cgStart * RS) * 4;
    const c0 = g * Cg + cgStart;
    let first = true;
    for (let n = 0; n < N; n++) {
      const xn = x + n * C * plane * 4;
      if (pointwise) {
        e.sgemm(
          k1 - k0, cn, outHW, 1,
          dy + (n * K + k0) * outHW * 4, outHW, 1,
          xn + c0 * plane * 4, 1, plane,
          first ? 0 : 1, dwg, CgRS, gws,
        );
        first = false;
        continue;
      }
      for (let oy0 = 0; oy0 < outH; oy0 += rows) {
        const oy1 = Math.min(outH, oy0 + rows);
        const ld = (oy1 - oy0) * outW;
        if (p.padMode === 'zeros') {
          e.im2colImage(
            xn, inH, inW, kH, kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
            outW, c0, c0 + cn, oy0, oy1, cols, ld,
          );
        } else {
          js.im2colImage(p, p.padMode, f32(k, xn, C * plane), 0, f32(k, cols, cn * RS * ld), 0, ld, c0, c0 + cn, oy0, oy1);
        }
        e.sgemm(
          k1 - k0, cn * RS, ld, 1,
          dy + ((n * K + k0) * outHW + oy0 * outW) * 4, outHW, 1,
          cols, 1, ld,
          first ? 0 : 1, dwg, CgRS, gws,
        );
        first = false;
      }
    }
    if (N === 0) for (let r = k0; r < k1; r++) f32(k, dw + (r * CgRS + cgStart * RS) * 4, cn * RS).fill(0);
  }
  flipRows(k, p, dw, kStart, kEnd, cgStart, cgEnd);
}

/** With p.flip: turns the gradient of the flipped filters into that of the stored ones (planes [kStart,kEnd) x [cgStart,cgEnd)). */
function flipRows(k: WasmKernels, p: Conv2dParams, dw: number, kStart: number, kEnd: number, cgStart: number, cgEnd: number): void {
  if (!p.flip) return;
  const Cg = p.C / p.groups;
  const RS = p.kH * p.kW;
  const v = f32(k, dw, p.K * Cg * RS);
  for (let kk = kStart; kk < kEnd; kk++) for (let c = cgStart; c < cgEnd; c++) {
    const o = (kk * Cg + c) * RS;
    for (let i = 0; i < RS >> 1; i++) {
      const t = v[o + i]!;
      v[o + i] = v[o + RS - 1 - i]!;
      v[o + RS - 1 - i] = t;
    }
  }
}

/** dL/db[k] = sum of dy[:, k] over batch and space (float64 sums), k in [kStart, kEnd). */
export function conv2dBackwardBias(k: WasmKernels, p: Conv2dParams, dy: number, db: number, kStart: number, kEnd: number): void {
  js.conv2dBackwardBias(p, f32(k, dy, p.N * p.K * p.outH * p.outW), f32(k, db, p.K), kStart, kEnd);
}
