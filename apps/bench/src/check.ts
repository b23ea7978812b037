/**
 * Float64 expectations computed straight from CONVENTIONS.md (direct sums, no im2col, no code
 * shared with any backend), for a sample of output positions, and the comparison
 * |got - expected| <= atol + rtol*|expected|.
 */
import { convGeometry, poolGeometry, type ConvShape, type GemmShape, type PoolShape } from './workloads.js';

/** float32 inputs, or float64 intermediates of the reference training step */
export type Arr = Float32Array | Float64Array;

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** A read-back output and how its flat index maps to the course (NCHW / KCRS / row-major) index. */
export interface Output {
  data: Float32Array | Int32Array;
  /** course shape, e.g. [N, C, H, W] */
  shape: number[];
  /** storage layout; default 'course' (same as shape) */
  layout?: 'course' | 'nhwc' | 'hwio';
}

/** Value of `o` at course flat index i. */
export function at(o: Output, i: number): number {
  const layout = o.layout ?? 'course';
  if (layout === 'course') return o.data[i]!;
  const [A, B, C, D] = o.shape as [number, number, number, number];
  const d = i % D;
  const c = Math.floor(i / D) % C;
  const b = Math.floor(i / (D * C)) % B;
  const a = Math.floor(i / (D * C * B));
  if (layout === 'nhwc') return o.data[((a * C + c) * D + d) * B + b]!; // [N,C,H,W] stored N,H,W,C
  return o.data[((c * D + d) * B + b) * A + a]!; // 'hwio': [K,C,R,S] stored R,S,C,K
}

export interface CheckResult {
  ok: boolean;
  checked: number;
  mismatches: number;
  worst: { output: string; index: number; got: number; expected: number; err: number; bound: number } | null;
  note?: string;
}

export function emptyCheck(): CheckResult {
  return { ok: true, checked: 0, mismatches: 0, worst: null };
}

/** Compares sampled positions; accumulates into `r`. NaN equals only NaN. */
export function compareAt(
  r: CheckResult,
  name: string,
  out: Output,
  positions: readonly number[],
  expected: ArrayLike<number>,
  tol: Tolerance,
): CheckResult {
  const size = out.shape.reduce((a, b) => a * b, 1);
  if (out.data.length !== size) {
    r.ok = false;
    r.mismatches++;
    r.note = `${name}: ${out.data.length} values, expected ${size}`;
    return r;
  }
  for (let j = 0; j < positions.length; j++) {
    const i = positions[j]!;
    const got = at(out, i);
    const e = expected[j]!;
    const bound = tol.atol + tol.rtol * Math.abs(e);
    const err = Number.isNaN(e) ? (Number.isNaN(got) ? 0 : Infinity) : Math.abs(got - e);
    r.checked++;
    const bad = !(err <= bound);
    if (bad) r.mismatches++;
    if (r.worst === null || err / bound > r.worst.err / r.worst.bound) {
      r.worst = { output: name, index: i, got, expected: e, err, bound };
    }
  }
  if (r.mismatches > 0) r.ok = false;
  return r;
}

/**
 * Tolerance of a float32 result that is a sum of `len` products of unit-scale values: the
 * backend's stated precision (at least the contract's 1e-4), with atol scaled by sqrt(len)
 * because rounding errors of a float32 sum grow like the square root of its length
 * (CONVENTIONS.md: "scaled by the reduction length where sums are long").
 */
export function sumTolerance(len: number, p: Tolerance = { atol: 1e-4, rtol: 1e-4 }): Tolerance {
  const atol = Math.max(1e-4, p.atol);
  const rtol = Math.max(1e-4, p.rtol);
  return { atol: atol * Math.max(1, Math.sqrt(len)), rtol };
}

// ---- direct float64 formulas ----------------------------------------------------------------

export function convExpected(x: Arr, w: Arr, b: Arr | null, c: ConvShape, positions: readonly number[]): Float64Array {
  const g = convGeometry(c);
  const out = new Float64Array(positions.length);
  positions.forEach((pos, j) => {
    const ox = pos % g.outW;
    const oy = Math.floor(pos / g.outW) % g.outH;
    const k = Math.floor(pos / (g.outW * g.outH)) % c.K;
    const n = Math.floor(pos / (g.outW * g.outH * c.K));
    let s = b ? b[k]! : 0;
    for (let ci = 0; ci < c.C; ci++) {
      for (let ky = 0; ky < c.R; ky++) {
        const iy = oy * c.stride + ky - g.padTop;
        if (iy < 0 || iy >= c.H) continue;
        for (let kx = 0; kx < c.S; kx++) {
          const ix = ox * c.stride + kx - g.padLeft;
          if (ix < 0 || ix >= c.W) continue;
          s += x[((n * c.C + ci) * c.H + iy) * c.W + ix]! * w[((k * c.C + ci) * c.R + ky) * c.S + kx]!;
        }
      }
    }
    out[j] = s;
  });
  return out;
}

/** dL/dx at sampled positions of x: sum over every (k, ky, kx) whose window read that pixel. */
export function convDxExpected(w: Arr, dy: Arr, c: ConvShape, positions: readonly number[]): Float64Array {
  const g = convGeometry(c);
  const out = new Float64Array(positions.length);
  positions.forEach((pos, j) => {
    const ix = pos % c.W;
    const iy = Math.floor(pos / c.W) % c.H;
    const ci = Math.floor(pos / (c.W * c.H)) % c.C;
    const n = Math.floor(pos / (c.W * c.H * c.C));
    let s = 0;
    for (let k = 0; k < c.K; k++) {
      for (let ky = 0; ky < c.R; ky++) {
        const ty = iy + g.padTop - ky;
        if (ty < 0 || ty % c.stride !== 0) continue;
        const oy = ty / c.stride;
        if (oy >= g.outH) continue;
        for (let kx = 0; kx < c.S; kx++) {
          const tx = ix + g.padLeft - kx;
          if (tx < 0 || tx % c.stride !== 0) continue;
          const ox = tx / c.stride;
          if (ox >= g.outW) continue;
          s += dy[((n * c.K + k) * g.outH + oy) * g.outW + ox]! * w[((k * c.C + ci) * c.R + ky) * c.S + kx]!;
        }
      }
    }
    out[j] = s;
  });
  return out;
}

/** dL/dW at sampled positions of W: sum over the batch and the output of dy times the pixel read. */
export function convDwExpected(x: Arr, dy: Arr, c: ConvShape, positions: readonly number[]): Float64Array {
  const g = convGeometry(c);
  const out = new Float64Array(positions.length);
  positions.forEach((pos, j) => {
    const kx = pos % c.S;
    const ky = Math.floor(pos / c.S) % c.R;
    const ci = Math.floor(pos / (c.S * c.R)) % c.C;
    const k = Math.floor(pos / (c.S * c.R * c.C));
    let s = 0;
    for (let n = 0; n < c.N; n++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const iy = oy * c.stride + ky - g.padTop;
        if (iy < 0 || iy >= c.H) continue;
        const dyRow = ((n * c.K + k) * g.outH + oy) * g.outW;
        const xRow = ((n * c.C + ci) * c.H + iy) * c.W;
        for (let ox = 0; ox < g.outW; ox++) {
          const ix = ox * c.stride + kx - g.padLeft;
          if (ix < 0 || ix >= c.W) continue;
          s += dy[dyRow + ox]! * x[xRow + ix]!;
        }
      }
    }
    out[j] = s;
  });
  return out;
}

export function gemmExpected(a: Float32Array, b: Float32Array, s: GemmShape, positions: readonly number[]): Float64Array {
  const out = new Float64Array(positions.length);
  positions.forEach((pos, j) => {
    const col = pos % s.N;
    const row = Math.floor(pos / s.N);
    let acc = 0;
    for (let p = 0; p < s.K; p++) acc += a[row * s.K + p]! * b[p * s.N + col]!;
    out[j] = acc;
  });
  return out;
}

/** Max pooling (out-of-image positions skipped, strict >, NaN propagates): values and flat indices. */
export function maxpoolExpected(x: Arr, p: PoolShape): { y: Float64Array; indices: Int32Array } {
  const g = poolGeometry(p);
  const size = p.N * p.C * g.outH * g.outW;
  const y = new Float64Array(size);
  const indices = new Int32Array(size);
  let o = 0;
  for (let nc = 0; nc < p.N * p.C; nc++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++, o++) {
        let best = -Infinity;
        let bi = -1;
        for (let ky = 0; ky < p.k; ky++) {
          const iy = oy * p.stride + ky - g.padTop;
          if (iy < 0 || iy >= p.H) continue;
          for (let kx = 0; kx < p.k; kx++) {
            const ix = ox * p.stride + kx - g.padLeft;
            if (ix < 0 || ix >= p.W) continue;
            const idx = (nc * p.H + iy) * p.W + ix;
            const v = x[idx]!;
            if (Number.isNaN(best)) continue;
            if (Number.isNaN(v) || v > best || bi < 0) {
              best = v;
              bi = idx;
            }
          }
        }
        y[o] = best;
        indices[o] = bi;
      }
    }
  }
  return { y, indices };
}
