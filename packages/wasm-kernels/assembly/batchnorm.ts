// Batch norm over x [N, C, P] (P = H*W) per channel, f32x4 over each plane with scalar tails;
// statistics summed by ./reduce (float32x4 blocks of 256 into float64). The per-channel scalars
// (running-statistics update, 1/sqrt(var + eps)) are the caller's (float64, in JS).
import { sumF32, sumSqDev, sumProdDev } from './reduce';

/** Channels [c0, c1): stats[2c] = batch mean, stats[2c+1] = sum of squared deviations from it (float64). */
export function bnStats(x: usize, N: i32, C: i32, P: i32, c0: i32, c1: i32, stats: usize): void {
  const M = <f64>N * <f64>P;
  for (let c = c0; c < c1; c++) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) s += sumF32(x + <usize>((n * C + c) * P) * 4, P);
    const mean = s / M;
    let ss: f64 = 0;
    for (let n = 0; n < N; n++) ss += sumSqDev(x + <usize>((n * C + c) * P) * 4, P, <f32>mean);
    store<f64>(stats + <usize>c * 16, mean);
    store<f64>(stats + <usize>c * 16 + 8, ss);
  }
}

/** y = scale[c] * (x - mean[c]) + shift[c] for channels [c0, c1) (float32 per-channel arrays). */
export function bnApply(x: usize, N: i32, C: i32, P: i32, mean: usize, scale: usize, shift: usize, c0: i32, c1: i32, y: usize): void {
  for (let c = c0; c < c1; c++) {
    const m = load<f32>(mean + <usize>c * 4);
    const k = load<f32>(scale + <usize>c * 4);
    const b = load<f32>(shift + <usize>c * 4);
    const mv = f32x4.splat(m);
    const kv = f32x4.splat(k);
    const bv = f32x4.splat(b);
    for (let n = 0; n < N; n++) {
      const off = <usize>((n * C + c) * P) * 4;
      const px = x + off;
      const py = y + off;
      let q = 0;
      for (; q + 4 <= P; q += 4) {
        const o = <usize>q * 4;
        v128.store(py + o, f32x4.add(f32x4.mul(kv, f32x4.sub(v128.load(px + o), mv)), bv));
      }
      for (; q < P; q++) {
        const o = <usize>q * 4;
        store<f32>(py + o, k * (load<f32>(px + o) - m) + b);
      }
    }
  }
}

/** Channels [c0, c1): sums[2c] = sum dy, sums[2c+1] = sum dy * (x - mean[c]) (float64; mean float32). */
export function bnBackwardSums(x: usize, dy: usize, N: i32, C: i32, P: i32, mean: usize, c0: i32, c1: i32, sums: usize): void {
  for (let c = c0; c < c1; c++) {
    const m = load<f32>(mean + <usize>c * 4);
    let sdy: f64 = 0;
    let sdyx: f64 = 0;
    for (let n = 0; n < N; n++) {
      const off = <usize>((n * C + c) * P) * 4;
      sdy += sumF32(dy + off, P);
      sdyx += sumProdDev(dy + off, x + off, P, m);
    }
    store<f64>(sums + <usize>c * 16, sdy);
    store<f64>(sums + <usize>c * 16 + 8, sdyx);
  }
}

/** dx = k[c] * ((dy - mdy[c]) - (x - mean[c]) * r[c]) for channels [c0, c1) (float32 per-channel arrays). */
export function bnBackwardApply(x: usize, dy: usize, N: i32, C: i32, P: i32, mean: usize, k: usize, mdy: usize, r: usize, c0: i32, c1: i32, dx: usize): void {
  for (let c = c0; c < c1; c++) {
    const ms = load<f32>(mean + <usize>c * 4);
    const ks = load<f32>(k + <usize>c * 4);
    const gs = load<f32>(mdy + <usize>c * 4);
    const rs = load<f32>(r + <usize>c * 4);
    const mv = f32x4.splat(ms);
    const kv = f32x4.splat(ks);
    const gv = f32x4.splat(gs);
    const rv = f32x4.splat(rs);
    for (let n = 0; n < N; n++) {
      const off = <usize>((n * C + c) * P) * 4;
      const px = x + off;
      const pg = dy + off;
      const pd = dx + off;
      let q = 0;
      for (; q + 4 <= P; q += 4) {
        const o = <usize>q * 4;
        const t = f32x4.sub(f32x4.sub(v128.load(pg + o), gv), f32x4.mul(f32x4.sub(v128.load(px + o), mv), rv));
        v128.store(pd + o, f32x4.mul(kv, t));
      }
      for (; q < P; q++) {
        const o = <usize>q * 4;
        store<f32>(pd + o, ks * ((load<f32>(pg + o) - gs) - (load<f32>(px + o) - ms) * rs));
      }
    }
  }
}
