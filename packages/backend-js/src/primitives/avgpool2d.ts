import type { AvgPool2dParams, GlobalPool2dParams } from '@convkit/core';

/** Taps of output o along one axis inside the input, and inside the padded extent [-before, n + after). */
function axisCount(o: number, s: number, d: number, k: number, before: number, after: number, n: number, includePad: boolean): number {
  let c = 0;
  for (let j = 0; j < k; j++) {
    const t = o * s - before + j * d;
    if (includePad ? t >= -before && t < n + after : t >= 0 && t < n) c++;
  }
  return c;
}

/** The divisor of every output position [outH * outW] (CONVENTIONS.md "Average pooling"). */
export function avgpoolDivisors(p: AvgPool2dParams): Float64Array {
  const { inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padBottom, padLeft, padRight, outH, outW, countIncludePad } = p;
  const cy = new Float64Array(outH);
  const cx = new Float64Array(outW);
  for (let oy = 0; oy < outH; oy++) cy[oy] = axisCount(oy, strideH, dilationH, kH, padTop, padBottom, inH, countIncludePad);
  for (let ox = 0; ox < outW; ox++) cx[ox] = axisCount(ox, strideW, dilationW, kW, padLeft, padRight, inW, countIncludePad);
  const div = new Float64Array(outH * outW);
  for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) div[oy * outW + ox] = cy[oy]! * cx[ox]!;
  return div;
}

/** Average pooling of planes [planeStart, planeEnd) of x (one plane = one (n, c)); NaN for an empty window. */
export function avgpool2d(p: AvgPool2dParams, x: Float32Array, y: Float32Array, div: Float64Array, planeStart = 0, planeEnd = p.N * p.C): void {
  const { inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = p;
  for (let pl = planeStart; pl < planeEnd; pl++) {
    const xb = pl * inH * inW;
    const yb = pl * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let s = 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            s += x[xb + iy * inW + ix]!;
          }
        }
        y[yb + oy * outW + ox] = s / div[oy * outW + ox]!;
      }
    }
  }
}

/** dx += dy / divisor at each in-image tap of every window, planes [planeStart, planeEnd); dx zeroed by the caller. */
export function avgpool2dBackward(p: AvgPool2dParams, dy: Float32Array, dx: Float32Array, div: Float64Array, planeStart = 0, planeEnd = p.N * p.C): void {
  const { inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = p;
  for (let pl = planeStart; pl < planeEnd; pl++) {
    const xb = pl * inH * inW;
    const yb = pl * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const q = div[oy * outW + ox]!;
        if (q === 0) continue;
        const g = dy[yb + oy * outW + ox]! / q;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            dx[xb + iy * inW + ix] += g;
          }
        }
      }
    }
  }
}

/** y[n, c] = mean of plane (n, c) over H x W (float64 sums), planes [planeStart, planeEnd). */
export function globalAvgPool2d(p: GlobalPool2dParams, x: Float32Array, y: Float32Array, planeStart = 0, planeEnd = p.N * p.C): void {
  const P = p.H * p.W;
  for (let pl = planeStart; pl < planeEnd; pl++) {
    let s = 0;
    for (let q = 0; q < P; q++) s += x[pl * P + q]!;
    y[pl] = s / P;
  }
}

/** dx[n, c, :, :] = dy[n, c] / (H*W), planes [planeStart, planeEnd). */
export function globalAvgPool2dBackward(p: GlobalPool2dParams, dy: Float32Array, dx: Float32Array, planeStart = 0, planeEnd = p.N * p.C): void {
  const P = p.H * p.W;
  for (let pl = planeStart; pl < planeEnd; pl++) dx.fill(dy[pl]! / P, pl * P, (pl + 1) * P);
}
