/**
 * Range versions of the @convkit/backend-js kernels that backend-js only runs whole: batch norm
 * (and its backward) over a range of channels, and sumToShape over a slab of its output. Each
 * computes exactly what the whole kernel computes for its part, in the same order (the same float64
 * sums, element by element), so any split gives backend-js's bits (determinism.test.ts checks it).
 * The kernels that already take a range (broadcastBinary, avgpool2d, globalAvgPool2d, softmaxAxis)
 * are called from table.ts directly.
 */
import type { BatchNorm2dBackwardParams, BatchNorm2dParams, SumToShapeParams } from '@convkit/core';
import { sumToShape } from '@convkit/backend-js/kernels';

type F = Float32Array;

/** Mean and biased / unbiased variance of channel c of x [N, C, P] (two passes, float64: backend-js's channelStats). */
function channelStats(x: F, N: number, C: number, P: number, c: number): { mean: number; varB: number; varU: number } {
  const M = N * P;
  let s = 0;
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * P;
    for (let q = 0; q < P; q++) s += x[base + q]!;
  }
  const mean = s / M;
  let ss = 0;
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * P;
    for (let q = 0; q < P; q++) {
      const d = x[base + q]! - mean;
      ss += d * d;
    }
  }
  return { mean, varB: ss / M, varU: M > 1 ? ss / (M - 1) : NaN };
}

/**
 * batchNorm2d for channels [c0, c1): each channel's statistics over N, H, W (training) or its
 * running statistics (inference), then its normalisation; newRm / newRv (training with running
 * statistics) get the channels' updated running statistics.
 */
export function batchNorm2dChannels(
  p: BatchNorm2dParams,
  x: F,
  gamma: F | null,
  beta: F | null,
  rm: F | null,
  rv: F | null,
  y: F,
  newRm: F | null,
  newRv: F | null,
  c0: number,
  c1: number,
): void {
  const { N, C, H, W, training, eps, momentum, momentumMode } = p;
  const P = H * W;
  for (let c = c0; c < c1; c++) {
    let mean: number;
    let variance: number;
    if (training) {
      const st = channelStats(x, N, C, P, c);
      mean = st.mean;
      variance = st.varB;
      if (rm && rv && newRm && newRv) {
        if (momentumMode === 'pytorch') {
          newRm[c] = (1 - momentum) * rm[c]! + momentum * st.mean;
          newRv[c] = (1 - momentum) * rv[c]! + momentum * st.varU;
        } else {
          newRm[c] = momentum * rm[c]! + (1 - momentum) * st.mean;
          newRv[c] = momentum * rv[c]! + (1 - momentum) * st.varB;
        }
      }
    } else {
      mean = rm![c]!;
      variance = rv![c]!;
    }
    const k = (gamma ? gamma[c]! : 1) / Math.sqrt(variance + eps);
    const b = beta ? beta[c]! : 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * P;
      for (let q = 0; q < P; q++) y[base + q] = k * (x[base + q]! - mean) + b;
    }
  }
}

/** batchNorm2dBackward for channels [c0, c1): dx of those channels, dgamma[c], dbeta[c] (float64 sums). */
export function batchNorm2dBackwardChannels(
  p: BatchNorm2dBackwardParams,
  x: F,
  dy: F,
  gamma: F | null,
  dx: F,
  dgamma: F,
  dbeta: F,
  c0: number,
  c1: number,
): void {
  const { N, C, H, W, eps } = p;
  const P = H * W;
  const M = N * P;
  for (let c = c0; c < c1; c++) {
    const { mean, varB } = channelStats(x, N, C, P, c);
    const inv = 1 / Math.sqrt(varB + eps);
    let sdy = 0;
    let sdyx = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * P;
      for (let q = 0; q < P; q++) {
        const g = dy[base + q]!;
        sdy += g;
        sdyx += g * (x[base + q]! - mean) * inv;
      }
    }
    dbeta[c] = sdy;
    dgamma[c] = sdyx;
    const k = (gamma ? gamma[c]! : 1) * inv;
    const mdy = sdy / M;
    const mdyx = sdyx / M;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * P;
      for (let q = 0; q < P; q++) dx[base + q] = k * (dy[base + q]! - mdy - (x[base + q]! - mean) * inv * mdyx);
    }
  }
}

/**
 * How sumToShape splits: 'copy' when nothing is reduced (a scaled copy, split by element), else the
 * first axis of x that y keeps (non-zero stride): y's elements with that axis' index in a range are
 * a contiguous block of y, summed from their own slab of x alone. -1: y keeps no axis (a sum to
 * one value), which runs as one task.
 */
export function sumToShapeAxis(p: SumToShapeParams): number | 'copy' {
  if (p.shape.length === 0 || p.outSize === p.size) return 'copy';
  return p.strides.findIndex((s, ax) => s !== 0 && p.shape[ax]! > 1);
}

/**
 * sumToShape for the outputs whose index along the split axis (sumToShapeAxis) lies in [i0, i1):
 * elements [i0, i1) for a copy; the whole op for a split axis of -1. x's slab is visited in x's
 * row-major order, last-axis rows summed first where the last axis is reduced, exactly as
 * backend-js's whole kernel visits it, so every output gets the same float64 sum.
 */
export function sumToShapeRange(p: SumToShapeParams, x: F, y: F, i0: number, i1: number): void {
  const { shape, strides, alpha } = p;
  const a = sumToShapeAxis(p);
  if (a === 'copy') {
    for (let i = i0; i < i1; i++) y[i] = alpha * x[i]!;
    return;
  }
  if (a < 0 || (i0 === 0 && i1 === shape[a])) {
    sumToShape(p, x, y);
    return;
  }
  const r = shape.length;
  const last = r - 1;
  let outer = 1;
  for (let ax = 0; ax < a; ax++) outer *= shape[ax]!;
  let inner = 1;
  for (let ax = a + 1; ax < r; ax++) inner *= shape[ax]!;
  const A = shape[a]!;
  const sa = strides[a]!;
  const acc = new Float64Array((i1 - i0) * sa);
  const L = shape[last]!;
  const s = strides[last]!;
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = i0; i < i1; i++) {
      const xb = (o * A + i) * inner;
      const yb = (i - i0) * sa;
      if (a === last) {
        acc[yb] += x[xb]!;
        continue;
      }
      // the axes after a, odometer as in the whole kernel (innermost axis as a row)
      let iy = yb;
      for (let k = 0; k < inner; k += L) {
        const xr = xb + k;
        if (s === 0) {
          let t = 0;
          for (let j = 0; j < L; j++) t += x[xr + j]!;
          acc[iy] += t;
        } else {
          for (let j = 0; j < L; j++) acc[iy + j * s] += x[xr + j]!;
        }
        for (let ax = last - 1; ax > a; ax--) {
          iy += strides[ax]!;
          if (++idx[ax]! < shape[ax]!) break;
          iy -= strides[ax]! * shape[ax]!;
          idx[ax] = 0;
        }
      }
    }
  }
  const y0 = i0 * sa;
  for (let k = 0; k < acc.length; k++) y[y0 + k] = alpha * acc[k]!;
}
