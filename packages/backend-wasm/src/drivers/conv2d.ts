import type { Conv2dParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';
import { kernels as js } from '@convkit/backend-js';
import { Carver, f32, flipInto, imagesPerGemm, isPointwise, rowsPerChunk, type Workspace } from './workspace.js';

/**
 * Which algorithm conv2dForward uses for `p` (decided from p only). Direct depthwise needs one
 * input channel per group AND at most 2 filters per group: with more filters per group the GEMM
 * (m = K/groups rows) is faster (workload B, C = 1 K = 32 5x5: direct 3.6 GFLOP/s, GEMM ~20).
 */
export function conv2dPath(p: Conv2dParams): 'depthwise' | 'pointwise' | 'im2col' {
  if (p.C / p.groups === 1 && p.K / p.groups <= 2 && p.padMode === 'zeros') return 'depthwise';
  if (isPointwise(p)) return 'pointwise';
  return 'im2col';
}

/** Workspace bytes conv2dForward needs for `p`. */
export function conv2dWorkspaceBytes(k: WasmKernels, p: Conv2dParams): number {
  const CgRS = (p.C / p.groups) * p.kH * p.kW;
  let b = k.gemmWorkspaceBytes + 64;
  if (p.flip) b += p.K * CgRS * 4 + 64;
  if (conv2dPath(p) === 'im2col') {
    const nb = imagesPerGemm(p);
    if (nb > 1) b += (CgRS + p.K) * nb * p.outH * p.outW * 4 + 128;
    else b += CgRS * rowsPerChunk(p) * p.outW * 4 + 64;
  }
  return b;
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
  const path = conv2dPath(p);
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
  const nb = imagesPerGemm(p);
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
  const rows = rowsPerChunk(p);
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
