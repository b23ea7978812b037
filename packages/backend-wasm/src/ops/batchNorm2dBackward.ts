import type { BatchNorm2dBackwardParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';

/**
 * Training-mode batch-norm gradients: batch statistics (`bnStats`) and the sums of dy and
 * dy*(x - mean) (`bnBackwardSums`) in wasm (f32x4 blocks summed in float64), the per-channel
 * scalars here in float64, dx = k*((dy - mean(dy)) - (x - mean)*inv*mean(dy*xhat)) by `bnBackwardApply` (f32x4).
 */
export function batchNorm2dBackward(r: WasmRuntime, x: DataId, dy: DataId, gamma: DataId | null, p: BatchNorm2dBackwardParams): { dx: DataId; dgamma: DataId; dbeta: DataId } {
  const { N, C, H, W, eps } = p;
  const P = H * W;
  const M = N * P;
  const dx = r.s.f32(N * C * P);
  const dgamma = r.s.f32(C);
  const dbeta = r.s.f32(C);
  // workspace: float64 stats [2C], float64 sums [2C], float32 mean, k, mdy, r [C] each
  const ws = r.ws(C * 32 + C * 16);
  const statsPtr = ws.ptr;
  const sumsPtr = ws.ptr + C * 16;
  const meanPtr = ws.ptr + C * 32;
  const kPtr = meanPtr + C * 4;
  const mdyPtr = kPtr + C * 4;
  const rPtr = mdyPtr + C * 4;
  const xp = r.s.ptr(x);
  const dyp = r.s.ptr(dy);
  const e = r.k.exports;
  e.bnStats(xp, N, C, P, 0, C, statsPtr);
  const buf = r.heap.memory.buffer;
  const stats = new Float64Array(buf, statsPtr, 2 * C);
  const mean = new Float32Array(buf, meanPtr, C);
  for (let c = 0; c < C; c++) mean[c] = stats[2 * c]!;
  e.bnBackwardSums(xp, dyp, N, C, P, meanPtr, 0, C, sumsPtr);
  const sums = new Float64Array(buf, sumsPtr, 2 * C);
  const kk = new Float32Array(buf, kPtr, C);
  const mdy = new Float32Array(buf, mdyPtr, C);
  const rr = new Float32Array(buf, rPtr, C);
  const g = gamma ? r.s.fv(gamma) : null;
  const dg = r.s.fv(dgamma);
  const db = r.s.fv(dbeta);
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(stats[2 * c + 1]! / M + eps);
    const sdy = sums[2 * c]!;
    const sdyx = sums[2 * c + 1]! * inv;
    db[c] = sdy;
    dg[c] = sdyx;
    kk[c] = (g ? g[c]! : 1) * inv;
    mdy[c] = sdy / M;
    rr[c] = (inv * sdyx) / M;
  }
  e.bnBackwardApply(xp, dyp, N, C, P, meanPtr, kPtr, mdyPtr, rPtr, 0, C, dx.ptr);
  return { dx, dgamma, dbeta };
}
