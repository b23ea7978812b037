import type { Im2colParams, PadMode, Window2d } from '@convkit/core';
import { padIndex } from '@convkit/core/geometry';
import { endInside, firstInside } from './padmap.js';

/**
 * im2col of one image. Writes the ((cEnd-cStart)*kH*kW) x ldCols matrix at colsOff:
 * row (c-cStart)*kH*kW + ky*kW + kx, column (oy-oyStart)*outW + ox, entry
 * x[c][oy*sH + ky*dH - padTop][ox*sW + kx*dW - padLeft] (or its pad value). xOff points at
 * channel 0 of the image. Only output rows [oyStart, oyEnd) are produced.
 */
export function im2colImage(
  p: Window2d,
  padMode: PadMode,
  x: Float32Array,
  xOff: number,
  cols: Float32Array,
  colsOff: number,
  ldCols: number,
  cStart: number,
  cEnd: number,
  oyStart = 0,
  oyEnd = p.outH,
): void {
  const { inH, inW, kH, kW, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft, outW } = p;
  const plane = inH * inW;
  let row = colsOff;
  for (let c = cStart; c < cEnd; c++) {
    const xc = xOff + c * plane;
    for (let ky = 0; ky < kH; ky++) {
      for (let kx = 0; kx < kW; kx++, row += ldCols) {
        const bx = kx * dW - padLeft;
        const lo = firstInside(bx, sW, outW);
        const hi = endInside(bx, sW, inW, outW, lo);
        let o = row;
        for (let oy = oyStart; oy < oyEnd; oy++) {
          const iy = padIndex(oy * sH + ky * dH - padTop, inH, padMode);
          if (iy < 0) {
            for (let ox = 0; ox < outW; ox++) cols[o++] = 0;
            continue;
          }
          const xr = xc + iy * inW;
          if (padMode === 'zeros') {
            for (let ox = 0; ox < lo; ox++) cols[o++] = 0;
          } else {
            for (let ox = 0; ox < lo; ox++) cols[o++] = x[xr + padIndex(ox * sW + bx, inW, padMode)]!;
          }
          if (sW === 1) {
            let s = xr + lo + bx;
            for (let ox = lo; ox < hi; ox++) cols[o++] = x[s++]!;
          } else {
            let s = xr + lo * sW + bx;
            for (let ox = lo; ox < hi; ox++, s += sW) cols[o++] = x[s]!;
          }
          if (padMode === 'zeros') {
            for (let ox = hi; ox < outW; ox++) cols[o++] = 0;
          } else {
            for (let ox = hi; ox < outW; ox++) cols[o++] = x[xr + padIndex(ox * sW + bx, inW, padMode)]!;
          }
        }
      }
    }
  }
}

/**
 * Adjoint of im2colImage: ZEROES channels [cStart, cEnd) of the image at dxOff, then adds every
 * column entry into the pixel it was read from (zero padding: dropped). Rows of cols are
 * (c-cStart)*kH*kW + ky*kW + kx, all outH*outW columns, leading dimension ldCols.
 */
export function col2imImage(
  p: Window2d,
  padMode: PadMode,
  cols: Float32Array,
  colsOff: number,
  ldCols: number,
  dx: Float32Array,
  dxOff: number,
  cStart: number,
  cEnd: number,
): void {
  const { inH, inW, kH, kW, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft, outH, outW } = p;
  const plane = inH * inW;
  dx.fill(0, dxOff + cStart * plane, dxOff + cEnd * plane);
  let row = colsOff;
  for (let c = cStart; c < cEnd; c++) {
    const xc = dxOff + c * plane;
    for (let ky = 0; ky < kH; ky++) {
      for (let kx = 0; kx < kW; kx++, row += ldCols) {
        const bx = kx * dW - padLeft;
        const lo = firstInside(bx, sW, outW);
        const hi = endInside(bx, sW, inW, outW, lo);
        let o = row;
        for (let oy = 0; oy < outH; oy++) {
          const iy = padIndex(oy * sH + ky * dH - padTop, inH, padMode);
          if (iy < 0) {
            o += outW;
            continue;
          }
          const xr = xc + iy * inW;
          if (padMode === 'zeros') {
            o += lo;
          } else {
            for (let ox = 0; ox < lo; ox++) {
              const d = xr + padIndex(ox * sW + bx, inW, padMode);
              dx[d] = dx[d]! + cols[o++]!;
            }
          }
          let s = xr + lo * sW + bx;
          for (let ox = lo; ox < hi; ox++, s += sW) dx[s] = dx[s]! + cols[o++]!;
          if (padMode === 'zeros') {
            o += outW - hi;
          } else {
            for (let ox = hi; ox < outW; ox++) {
              const d = xr + padIndex(ox * sW + bx, inW, padMode);
              dx[d] = dx[d]! + cols[o++]!;
            }
          }
        }
      }
    }
  }
}

/** im2col op: cols [N, C*kH*kW, outH*outW]; writes images [nStart,nEnd), channels [cStart,cEnd). */
export function im2col(
  p: Im2colParams,
  x: Float32Array,
  cols: Float32Array,
  nStart = 0,
  nEnd = p.N,
  cStart = 0,
  cEnd = p.C,
): void {
  const L = p.outH * p.outW;
  const rows = p.C * p.kH * p.kW;
  const plane = p.inH * p.inW;
  for (let n = nStart; n < nEnd; n++) {
    im2colImage(p, p.padMode, x, n * p.C * plane, cols, (n * rows + cStart * p.kH * p.kW) * L, L, cStart, cEnd);
  }
}

/** col2im op: zeroes then accumulates dx [N,C,H,W] planes of images [nStart,nEnd), channels [cStart,cEnd). */
export function col2im(
  p: Im2colParams,
  cols: Float32Array,
  dx: Float32Array,
  nStart = 0,
  nEnd = p.N,
  cStart = 0,
  cEnd = p.C,
): void {
  const L = p.outH * p.outW;
  const rows = p.C * p.kH * p.kW;
  const plane = p.inH * p.inW;
  for (let n = nStart; n < nEnd; n++) {
    col2imImage(p, p.padMode, cols, (n * rows + cStart * p.kH * p.kW) * L, L, dx, n * p.C * plane, cStart, cEnd);
  }
}
