import type { Conv2dParams } from '@convkit/core';
import type { Scratch } from './scratch.js';
import { sgemm } from './sgemm.js';
import { col2imImage, im2colImage } from './im2col.js';
import { allFinite, flippedWeights, useDirectCg1 } from './conv2d.js';
import { conv2dBackwardFilterWinograd, conv2dWinograd, useWinograd } from './winograd.js';
import { padIndex } from '@convkit/core/geometry';
import { endInside, firstInside } from './padmap.js';

/** dx planes [cStart,cEnd) of image n for Cg = 1 (depthwise-style): direct scatter, the adjoint of the direct forward. */
function backwardDataCg1(p: Conv2dParams, w: Float32Array, dy: Float32Array, dx: Float32Array, n: number, cStart: number, cEnd: number): void {
  const { C, K, inH, inW, kH, kW, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft, outH, outW, padMode } = p;
  const Kg = K / p.groups;
  const plane = inH * inW;
  const L = outH * outW;
  dx.fill(0, (n * C + cStart) * plane, (n * C + cEnd) * plane);
  for (let c = cStart; c < cEnd; c++) {
    const xc = (n * C + c) * plane;
    for (let k = c * Kg; k < (c + 1) * Kg; k++) {
      const yk = (n * K + k) * L;
      for (let ky = 0; ky < kH; ky++) {
        for (let kx = 0; kx < kW; kx++) {
          const wv = w[(k * kH + ky) * kW + kx]!;
          const bx = kx * dW - padLeft;
          const lo = firstInside(bx, sW, outW);
          const hi = endInside(bx, sW, inW, outW, lo);
          for (let oy = 0; oy < outH; oy++) {
            const iy = padIndex(oy * sH + ky * dH - padTop, inH, padMode);
            if (iy < 0) continue;
            const xr = xc + iy * inW;
            const yr = yk + oy * outW;
            if (padMode !== 'zeros') {
              for (let ox = 0; ox < lo; ox++) {
                const d = xr + padIndex(ox * sW + bx, inW, padMode);
                dx[d] = dx[d]! + wv * dy[yr + ox]!;
              }
              for (let ox = hi; ox < outW; ox++) {
                const d = xr + padIndex(ox * sW + bx, inW, padMode);
                dx[d] = dx[d]! + wv * dy[yr + ox]!;
              }
            }
            let d = xr + lo * sW + bx;
            for (let ox = lo; ox < hi; ox++, d += sW) dx[d] = dx[d]! + wv * dy[yr + ox]!;
          }
        }
      }
    }
  }
}

/** dW rows [kStart,kEnd) for Cg = 1: one float64 dot product per tap over the whole batch. */
function backwardFilterCg1(p: Conv2dParams, x: Float32Array, dy: Float32Array, dw: Float32Array, kStart: number, kEnd: number): void {
  const { N, C, K, inH, inW, kH, kW, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft, outH, outW, padMode } = p;
  const Kg = K / p.groups;
  const plane = inH * inW;
  const L = outH * outW;
  for (let k = kStart; k < kEnd; k++) {
    const c = Math.floor(k / Kg);
    for (let ky = 0; ky < kH; ky++) {
      for (let kx = 0; kx < kW; kx++) {
        const bx = kx * dW - padLeft;
        const lo = firstInside(bx, sW, outW);
        const hi = endInside(bx, sW, inW, outW, lo);
        let s = 0;
        for (let n = 0; n < N; n++) {
          const xc = (n * C + c) * plane;
          const yk = (n * K + k) * L;
          for (let oy = 0; oy < outH; oy++) {
            const iy = padIndex(oy * sH + ky * dH - padTop, inH, padMode);
            if (iy < 0) continue;
            const xr = xc + iy * inW;
            const yr = yk + oy * outW;
            if (padMode !== 'zeros') {
              for (let ox = 0; ox < lo; ox++) s += dy[yr + ox]! * x[xr + padIndex(ox * sW + bx, inW, padMode)]!;
              for (let ox = hi; ox < outW; ox++) s += dy[yr + ox]! * x[xr + padIndex(ox * sW + bx, inW, padMode)]!;
            }
            let q = xr + lo * sW + bx;
            for (let ox = lo; ox < hi; ox++, q += sW) s += dy[yr + ox]! * x[q]!;
          }
        }
        dw[(k * kH + ky) * kW + kx] = s;
      }
    }
  }
}

/**
 * The forward conv whose output is dL/dx when conv2dBackwardData can run as a Winograd conv of dy
 * (zero padding, 3x3, stride 1, dilation 1, pads <= 2, enough channels), else null. Depends on p only.
 */
function transposedConv(p: Conv2dParams): Conv2dParams | null {
  if (p.padMode !== 'zeros' || !useWinograd(p) || p.padTop > 2 || p.padLeft > 2) return null;
  const pt = transposedConvParams(p);
  return useWinograd(pt) ? pt : null;
}

/**
 * For a zero-padded 3x3 / stride 1 / dilation 1 conv with pads <= 2: the params of the forward conv
 * of dy whose output is dL/dx, dx = conv(dy, W') with W'[c, k] = rot180(W[k, c]) and padding
 * 2 - pad (the exact adjoint). The caller checks those conditions (and its own path's).
 */
export function transposedConvParams(p: Conv2dParams): Conv2dParams {
  return {
    ...p,
    C: p.K,
    K: p.C,
    inH: p.outH,
    inW: p.outW,
    outH: p.inH,
    outW: p.inW,
    padTop: 2 - p.padTop,
    padLeft: 2 - p.padLeft,
    padBottom: Math.max(0, p.inH + 2 - p.outH - (2 - p.padTop)),
    padRight: Math.max(0, p.inW + 2 - p.outW - (2 - p.padLeft)),
    flip: false,
  };
}

/**
 * dL/dx for images [nStart,nEnd) and input channels [cStart,cEnd): dx_n = col2im(W^T * dy_n) per
 * group. Zeroes then writes those planes of dx [N,C,H,W]. w [K,C/groups,kH,kW], dy [N,K,outH,outW].
 */
export function conv2dBackwardData(
  p: Conv2dParams,
  w: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  nStart = 0,
  nEnd = p.N,
  cStart = 0,
  cEnd = p.C,
  scratch?: Scratch,
): void {
  if (nEnd <= nStart || cEnd <= cStart) return;
  const { C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const RS = kH * kW;
  const CgRS = Cg * RS;
  const plane = inH * inW;
  const L = outH * outW;
  const g0 = Math.floor(cStart / Cg);
  const g1 = Math.floor((cEnd - 1) / Cg);
  const wk = flippedWeights(p, w, g0 * Kg, (g1 + 1) * Kg, scratch);
  if (useDirectCg1(p)) {
    for (let n = nStart; n < nEnd; n++) backwardDataCg1(p, wk, dy, dx, n, cStart, cEnd);
    return;
  }
  const pt = transposedConv(p);
  let wt: Float32Array | null = null;
  if (pt) {
    // Zero padding, 3x3, stride 1: dx = conv(dy, W') with W'[c, k] = rot180(W[k, c]) per group and
    // padding 2 - pad, the exact adjoint; computed with Winograd like the forward pass.
    wt = scratch ? scratch.f32('convbd.wt', C * Kg * RS) : new Float32Array(C * Kg * RS);
    for (let c = cStart; c < cEnd; c++) {
      const g = Math.floor(c / Cg);
      for (let kk = 0; kk < Kg; kk++) {
        const src = ((g * Kg + kk) * Cg + (c - g * Cg)) * RS;
        const dst = (c * Kg + kk) * RS;
        for (let i = 0; i < RS; i++) wt[dst + i] = wk[src + RS - 1 - i]!;
      }
    }
  }
  const rowsMax = Math.min(cEnd - cStart, Cg) * RS;
  let cols: Float32Array | null = null;
  for (let g = g0; g <= g1; g++) {
    const cs = Math.max(cStart, g * Cg);
    const ce = Math.min(cEnd, (g + 1) * Cg);
    const rows = (ce - cs) * RS;
    // non-finite values take the GEMM path (see conv2d); decided per (image, group), not per range
    const wOk = pt !== null && allFinite(w, g * Kg * CgRS, (g + 1) * Kg * CgRS);
    for (let n = nStart; n < nEnd; n++) {
      const dyg = (n * K + g * Kg) * L;
      if (wOk && allFinite(dy, dyg, dyg + Kg * L)) {
        conv2dWinograd(pt!, dy, wt!, dx, n, n + 1, cs, ce, 0, inH, scratch);
        continue;
      }
      cols ??= scratch ? scratch.f32('convbd.cols', rowsMax * L) : new Float32Array(rowsMax * L);
      // cols[r, l] = sum_k W[g*Kg + k, (cs - g*Cg)*RS + r] * dy[n, g*Kg + k, l]
      sgemm(rows, L, Kg, 1, wk, g * Kg * CgRS + (cs - g * Cg) * RS, CgRS, true, dy, dyg, L, false, 0, cols, 0, L, scratch);
      col2imImage(p, p.padMode, cols, 0, L, dx, n * C * plane, cs, ce);
    }
  }
}

/**
 * Whether group g's inputs (all images, all its channels) and output gradients (all images, all
 * its filters) are finite: the Winograd weight gradient mixes them before multiplying (an infinity
 * would become inf - inf = NaN). Independent of the k / cg ranges.
 */
function groupFinite(p: Conv2dParams, x: Float32Array, dy: Float32Array, g: number): boolean {
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  const plane = p.inH * p.inW;
  const L = p.outH * p.outW;
  for (let n = 0; n < p.N; n++) {
    const xo = (n * p.C + g * Cg) * plane;
    const yo = (n * p.K + g * Kg) * L;
    if (!allFinite(x, xo, xo + Cg * plane) || !allFinite(dy, yo, yo + Kg * L)) return false;
  }
  return true;
}

/**
 * dL/dW for filters [kStart,kEnd) and in-group channels [cgStart,cgEnd): sum over ALL images of
 * dy_n * im2col(x_n)^T. Zeroes then writes dw[k, cg, :, :] of that block (un-flipped layout when
 * p.flip). No accumulation is shared with other calls.
 */
export function conv2dBackwardFilter(
  p: Conv2dParams,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  kStart = 0,
  kEnd = p.K,
  cgStart = 0,
  cgEnd = p.C / p.groups,
  scratch?: Scratch,
): void {
  if (kEnd <= kStart || cgEnd <= cgStart) return;
  const { N, C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const RS = kH * kW;
  const CgRS = Cg * RS;
  const plane = inH * inW;
  const L = outH * outW;
  const rows = (cgEnd - cgStart) * RS;
  // With flip, accumulate the gradient of the flipped kernel in a scratch copy, then un-flip.
  const target = p.flip ? (scratch ? scratch.f32('convbf.dwf', K * CgRS) : new Float32Array(K * CgRS)) : dw;
  if (useDirectCg1(p)) {
    backwardFilterCg1(p, x, dy, target, kStart, kEnd);
  } else {
    const wino = useWinograd(p);
    let cols: Float32Array | null = null;
    const g0 = Math.floor(kStart / Kg);
    const g1 = Math.floor((kEnd - 1) / Kg);
    for (let g = g0; g <= g1; g++) {
      const ks = Math.max(kStart, g * Kg);
      const ke = Math.min(kEnd, (g + 1) * Kg);
      if (wino && groupFinite(p, x, dy, g)) {
        conv2dBackwardFilterWinograd(p, x, dy, target, ks, ke, cgStart, cgEnd, scratch);
        continue;
      }
      cols ??= scratch ? scratch.f32('convbf.cols', rows * L) : new Float32Array(rows * L);
      const cOff = ks * CgRS + cgStart * RS;
      if (N === 0) {
        for (let k = ks; k < ke; k++) target.fill(0, k * CgRS + cgStart * RS, k * CgRS + cgEnd * RS);
      }
      for (let n = 0; n < N; n++) {
        im2colImage(p, p.padMode, x, n * C * plane, cols, 0, L, g * Cg + cgStart, g * Cg + cgEnd);
        // dw[k, r] (+)= sum_l dy[n, k, l] * cols[r, l]
        sgemm(ke - ks, rows, L, 1, dy, (n * K + ks) * L, L, false, cols, 0, L, true, n === 0 ? 0 : 1, target, cOff, CgRS, scratch);
      }
    }
  }
  if (p.flip) {
    for (let k = kStart; k < kEnd; k++) {
      for (let cg = cgStart; cg < cgEnd; cg++) {
        const o = (k * Cg + cg) * RS;
        for (let i = 0; i < RS; i++) dw[o + i] = target[o + RS - 1 - i]!;
      }
    }
  }
}

/** db[k] = sum of dy[:, k, :, :] for k in [kStart,kEnd) (overwrites). Sums in float64. */
export function conv2dBackwardBias(p: Conv2dParams, dy: Float32Array, db: Float32Array, kStart = 0, kEnd = p.K): void {
  const L = p.outH * p.outW;
  for (let k = kStart; k < kEnd; k++) {
    let s = 0;
    for (let n = 0; n < p.N; n++) {
      const o = (n * p.K + k) * L;
      for (let i = 0; i < L; i++) s += dy[o + i]!;
    }
    db[k] = s;
  }
}
