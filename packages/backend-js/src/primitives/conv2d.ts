import type { Conv2dParams } from '@convkit/core';
import type { Scratch } from './scratch.js';
import { sgemm } from './sgemm.js';
import { im2colImage } from './im2col.js';
import { padIndex } from '@convkit/core/geometry';
import { endInside, firstInside } from './padmap.js';
import { conv2dWinograd, useWinograd } from './winograd.js';

/** Target size (floats) of one im2col chunk: output rows are processed in chunks of about this many column entries. */
const COLS_CHUNK = 1 << 18;

/**
 * Filters rows [kStart, kEnd) flipped in both spatial axes (true convolution), written at the
 * same offsets of a K x (Cg*kH*kW) buffer. Returns w itself when flip is false.
 */
export function flippedWeights(
  p: Conv2dParams,
  w: Float32Array,
  kStart: number,
  kEnd: number,
  scratch?: Scratch,
  slot = 'conv.wflip',
): Float32Array {
  if (!p.flip) return w;
  const RS = p.kH * p.kW;
  const rows = p.K * (p.C / p.groups);
  const out = scratch ? scratch.f32(slot, rows * RS) : new Float32Array(rows * RS);
  const Cg = p.C / p.groups;
  for (let r = kStart * Cg; r < kEnd * Cg; r++) {
    const o = r * RS;
    for (let i = 0; i < RS; i++) out[o + i] = w[o + RS - 1 - i]!;
  }
  return out;
}

/** One output pixel of a Cg = 1 convolution, any pad mode (border pixels). */
function pixelCg1(
  p: Conv2dParams,
  x: Float32Array,
  xc: number,
  w: Float32Array,
  wo: number,
  oy: number,
  ox: number,
): number {
  const { inH, inW, kH, kW, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft, padMode } = p;
  let s = 0;
  for (let ky = 0; ky < kH; ky++) {
    const iy = padIndex(oy * sH + ky * dH - padTop, inH, padMode);
    if (iy < 0) continue;
    const r = xc + iy * inW;
    for (let kx = 0; kx < kW; kx++) {
      const ix = padIndex(ox * sW + kx * dW - padLeft, inW, padMode);
      if (ix < 0) continue;
      s += w[wo + ky * kW + kx]! * x[r + ix]!;
    }
  }
  return s;
}

/** Depthwise-style direct convolution for Cg = 1 (groups = C), with a register-resident 3x3 path. */
function convDirectCg1(
  p: Conv2dParams,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  nStart: number,
  nEnd: number,
  kStart: number,
  kEnd: number,
  oyStart: number,
  oyEnd: number,
): void {
  const { C, K, inH, inW, kH, kW, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft, outH, outW, padMode } = p;
  const Kg = K / p.groups;
  const plane = inH * inW;
  const oplane = outH * outW;
  // Output columns whose every tap is inside the image.
  const lo = firstInside(-padLeft, sW, outW);
  const hi = Math.max(lo, endInside((kW - 1) * dW - padLeft, sW, inW, outW, lo));
  const is3 = kH === 3 && kW === 3;
  for (let n = nStart; n < nEnd; n++) {
    for (let k = kStart; k < kEnd; k++) {
      const xc = (n * C + Math.floor(k / Kg)) * plane;
      const yk = (n * K + k) * oplane;
      const wo = k * kH * kW;
      if (is3) {
        const w00 = w[wo]!, w01 = w[wo + 1]!, w02 = w[wo + 2]!;
        const w10 = w[wo + 3]!, w11 = w[wo + 4]!, w12 = w[wo + 5]!;
        const w20 = w[wo + 6]!, w21 = w[wo + 7]!, w22 = w[wo + 8]!;
        const d1 = dW, d2 = 2 * dW;
        for (let oy = oyStart; oy < oyEnd; oy++) {
          const yr = yk + oy * outW;
          const iy0 = padIndex(oy * sH - padTop, inH, padMode);
          const iy1 = padIndex(oy * sH + dH - padTop, inH, padMode);
          const iy2 = padIndex(oy * sH + 2 * dH - padTop, inH, padMode);
          if (iy0 < 0 || iy1 < 0 || iy2 < 0) {
            for (let ox = 0; ox < outW; ox++) y[yr + ox] = pixelCg1(p, x, xc, w, wo, oy, ox);
            continue;
          }
          for (let ox = 0; ox < lo; ox++) y[yr + ox] = pixelCg1(p, x, xc, w, wo, oy, ox);
          const r0 = xc + iy0 * inW, r1 = xc + iy1 * inW, r2 = xc + iy2 * inW;
          let q = lo * sW - padLeft;
          for (let ox = lo; ox < hi; ox++, q += sW) {
            y[yr + ox] =
              w00 * x[r0 + q]! + w01 * x[r0 + q + d1]! + w02 * x[r0 + q + d2]! +
              w10 * x[r1 + q]! + w11 * x[r1 + q + d1]! + w12 * x[r1 + q + d2]! +
              w20 * x[r2 + q]! + w21 * x[r2 + q + d1]! + w22 * x[r2 + q + d2]!;
          }
          for (let ox = hi; ox < outW; ox++) y[yr + ox] = pixelCg1(p, x, xc, w, wo, oy, ox);
        }
        continue;
      }
      y.fill(0, yk + oyStart * outW, yk + oyEnd * outW);
      for (let ky = 0; ky < kH; ky++) {
        for (let kx = 0; kx < kW; kx++) {
          const wv = w[wo + ky * kW + kx]!;
          const bx = kx * dW - padLeft;
          const l0 = firstInside(bx, sW, outW);
          const h0 = endInside(bx, sW, inW, outW, l0);
          for (let oy = oyStart; oy < oyEnd; oy++) {
            const iy = padIndex(oy * sH + ky * dH - padTop, inH, padMode);
            if (iy < 0) continue;
            const xr = xc + iy * inW;
            const yr = yk + oy * outW;
            if (padMode !== 'zeros') {
              for (let ox = 0; ox < l0; ox++) y[yr + ox] = y[yr + ox]! + wv * x[xr + padIndex(ox * sW + bx, inW, padMode)]!;
              for (let ox = h0; ox < outW; ox++) y[yr + ox] = y[yr + ox]! + wv * x[xr + padIndex(ox * sW + bx, inW, padMode)]!;
            }
            let s = xr + l0 * sW + bx;
            for (let ox = l0; ox < h0; ox++, s += sW) y[yr + ox] = y[yr + ox]! + wv * x[s]!;
          }
        }
      }
    }
  }
}

/**
 * Depthwise-style direct kernels: one input channel per group and fewer than 4 filters per group
 * (a GEMM with m < 4 wastes most of its 4x4 tiles; with more filters, e.g. C = 1 and K = 32, the
 * im2col GEMM is ~3x faster). Depends on p only.
 */
export function useDirectCg1(p: Conv2dParams): boolean {
  return p.C === p.groups && p.K / p.groups < 4 && p.kH * p.kW > 1;
}

/** True when a[start..end) has no NaN or infinity (x * 0 is NaN exactly for those). */
export function allFinite(a: Float32Array, start: number, end: number): boolean {
  let s = 0;
  for (let i = start; i < end; i++) s += a[i]! * 0;
  return s === 0;
}

/** im2col + GEMM (or plain GEMM for pointwise) for image n, filters [ks,ke) of group g, rows [oyStart,oyEnd). */
function convGemm(
  p: Conv2dParams,
  x: Float32Array,
  wk: Float32Array,
  y: Float32Array,
  n: number,
  g: number,
  ks: number,
  ke: number,
  oyStart: number,
  oyEnd: number,
  scratch?: Scratch,
): void {
  const { C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const CgRS = Cg * kH * kW;
  const plane = inH * inW;
  const oplane = outH * outW;
  const pointwise =
    kH * kW === 1 && p.strideH === 1 && p.strideW === 1 && p.padTop === 0 && p.padLeft === 0 && outH === inH && outW === inW;
  const chunkRows = pointwise ? oyEnd - oyStart : Math.max(1, Math.floor(COLS_CHUNK / (CgRS * outW)));
  const colsBuf = pointwise
    ? null
    : scratch
      ? scratch.f32('conv.cols', CgRS * Math.min(chunkRows, oyEnd - oyStart) * outW)
      : new Float32Array(CgRS * Math.min(chunkRows, oyEnd - oyStart) * outW);
  const xg = (n * C + g * Cg) * plane;
  for (let oy0 = oyStart; oy0 < oyEnd; oy0 += chunkRows) {
    const oy1 = Math.min(oyEnd, oy0 + chunkRows);
    const ncols = (oy1 - oy0) * outW;
    const yOff = (n * K + ks) * oplane + oy0 * outW;
    if (pointwise) {
      sgemm(ke - ks, ncols, Cg, 1, wk, ks * CgRS, CgRS, false, x, xg + oy0 * inW, plane, false, 0, y, yOff, oplane, scratch);
    } else {
      im2colImage(p, p.padMode, x, n * C * plane, colsBuf!, 0, ncols, g * Cg, (g + 1) * Cg, oy0, oy1);
      sgemm(ke - ks, ncols, CgRS, 1, wk, ks * CgRS, CgRS, false, colsBuf!, 0, ncols, false, 0, y, yOff, oplane, scratch);
    }
  }
}

/**
 * conv2d forward over a block of y [N, K, outH, outW]: images [nStart,nEnd), output channels
 * [kStart,kEnd), output rows [oyStart,oyEnd). x [N,C,H,W], w [K, C/groups, kH, kW], bias [K] or null.
 * Cross-correlation (p.flip: true convolution), any pad mode, stride, dilation, groups.
 */
export function conv2d(
  p: Conv2dParams,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  nStart = 0,
  nEnd = p.N,
  kStart = 0,
  kEnd = p.K,
  oyStart = 0,
  oyEnd = p.outH,
  scratch?: Scratch,
): void {
  if (nEnd <= nStart || kEnd <= kStart || oyEnd <= oyStart) return;
  const { C, K, groups, inH, inW, kH, kW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const RS = kH * kW;
  const CgRS = Cg * RS;
  const plane = inH * inW;
  const oplane = outH * outW;
  const wk = flippedWeights(p, w, kStart, kEnd, scratch);

  if (useDirectCg1(p)) {
    convDirectCg1(p, x, wk, y, nStart, nEnd, kStart, kEnd, oyStart, oyEnd);
  } else {
    const wino = useWinograd(p);
    const g0 = Math.floor(kStart / Kg);
    const g1 = Math.floor((kEnd - 1) / Kg);
    for (let g = g0; g <= g1; g++) {
      const ks = Math.max(kStart, g * Kg);
      const ke = Math.min(kEnd, (g + 1) * Kg);
      // Winograd mixes a tile's inputs (and a filter's taps) before multiplying, so an infinity
      // would turn into inf - inf = NaN in outputs that should be +-inf. Blocks with a non-finite
      // value take the GEMM path. Decided per (image, group) from the data, never from the
      // ranges, so every partition still computes each element the same way.
      const wOk = wino && allFinite(w, g * Kg * CgRS, (g + 1) * Kg * CgRS);
      for (let n = nStart; n < nEnd; n++) {
        const xg = (n * C + g * Cg) * plane;
        if (wOk && allFinite(x, xg, xg + Cg * plane)) {
          conv2dWinograd(p, x, wk, y, n, n + 1, ks, ke, oyStart, oyEnd, scratch);
        } else {
          convGemm(p, x, wk, y, n, g, ks, ke, oyStart, oyEnd, scratch);
        }
      }
    }
  }
  if (bias) {
    for (let n = nStart; n < nEnd; n++) {
      for (let k = kStart; k < kEnd; k++) {
        const bv = bias[k]!;
        if (bv === 0) continue;
        const s = (n * K + k) * oplane;
        for (let i = s + oyStart * outW, e = s + oyEnd * outW; i < e; i++) y[i] = y[i]! + bv;
      }
    }
  }
}
