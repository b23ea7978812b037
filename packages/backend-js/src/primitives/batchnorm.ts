import type { BatchNorm2dBackwardParams, BatchNorm2dParams } from '@convkit/core';

/** Mean and biased / unbiased variance of channel c of x [N, C, H, W] (two passes, float64). */
function channelStats(x: Float32Array, N: number, C: number, P: number, c: number): { mean: number; varB: number; varU: number } {
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
 * Batch norm of x [N, C, H, W] per channel (CONVENTIONS.md "Batch norm"); gamma/beta null = affine
 * off. Training: batch mean and biased variance, and (when rm/rv are given) the updated running
 * statistics into newRm/newRv. Inference: the running statistics rm/rv. Channels [c0, c1) only
 * (default all): each channel is computed from its own planes alone, so any split of the channels
 * gives the whole call's bits.
 */
export function batchNorm2d(
  p: BatchNorm2dParams,
  x: Float32Array,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  rm: Float32Array | null,
  rv: Float32Array | null,
  y: Float32Array,
  newRm: Float32Array | null,
  newRv: Float32Array | null,
  c0 = 0,
  c1 = p.C,
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

/**
 * Training-mode gradients of batchNorm2d from the batch statistics of x (float64 sums): dx of
 * channels [c0, c1) (default all) and their dgamma[c], dbeta[c].
 */
export function batchNorm2dBackward(
  p: BatchNorm2dBackwardParams,
  x: Float32Array,
  dy: Float32Array,
  gamma: Float32Array | null,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
  c0 = 0,
  c1 = p.C,
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
