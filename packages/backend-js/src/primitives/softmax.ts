import type { AxisParams } from '@convkit/core';

/**
 * Softmax (log false) or log-softmax (log true) along the axis of x viewed as [outer, len, inner],
 * for slices [start, end) of the outer*inner slices; max subtracted, float64 sums. NaN in a slice
 * makes the whole slice NaN.
 */
export function softmaxAxis(p: AxisParams, x: Float32Array, y: Float32Array, log: boolean, start = 0, end = p.outer * p.inner): void {
  const { len, inner } = p;
  for (let sl = start; sl < end; sl++) {
    const o = Math.floor(sl / inner);
    const base = o * len * inner + (sl - o * inner);
    let mx = -Infinity;
    let nan = false;
    for (let j = 0; j < len; j++) {
      const v = x[base + j * inner]!;
      if (v !== v) nan = true;
      else if (v > mx) mx = v;
    }
    if (nan) mx = NaN;
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.exp(x[base + j * inner]! - mx);
    if (log) {
      const ls = Math.log(s);
      for (let j = 0; j < len; j++) y[base + j * inner] = x[base + j * inner]! - mx - ls;
    } else {
      for (let j = 0; j < len; j++) y[base + j * inner] = Math.exp(x[base + j * inner]! - mx) / s;
    }
  }
}

/**
 * Backward from the forward's output y: softmax dx = y * (dy - sum(dy * y)); log-softmax
 * dx = dy - exp(y) * sum(dy); sums along the axis (float64), slices [start, end).
 */
export function softmaxAxisBackward(p: AxisParams, y: Float32Array, dy: Float32Array, dx: Float32Array, log: boolean, start = 0, end = p.outer * p.inner): void {
  const { len, inner } = p;
  for (let sl = start; sl < end; sl++) {
    const o = Math.floor(sl / inner);
    const base = o * len * inner + (sl - o * inner);
    let s = 0;
    if (log) {
      for (let j = 0; j < len; j++) s += dy[base + j * inner]!;
      for (let j = 0; j < len; j++) {
        const k = base + j * inner;
        dx[k] = dy[k]! - Math.exp(y[k]!) * s;
      }
    } else {
      for (let j = 0; j < len; j++) s += dy[base + j * inner]! * y[base + j * inner]!;
      for (let j = 0; j < len; j++) {
        const k = base + j * inner;
        dx[k] = y[k]! * (dy[k]! - s);
      }
    }
  }
}
