import type { BatchNorm2dParams, BatchNorm2dResult, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';

/**
 * Batch norm of x [N, C, H, W]: batch statistics by the wasm `bnStats` (f32x4 blocks summed in
 * float64), the per-channel scalars here in float64 (running-statistics update as the js kernel:
 * PyTorch or ONNX momentum), y = k*(x - mean) + b by the wasm `bnApply` (f32x4).
 */
export function batchNorm2d(
  r: WasmRuntime,
  x: DataId,
  gamma: DataId | null,
  beta: DataId | null,
  runningMean: DataId | null,
  runningVar: DataId | null,
  p: BatchNorm2dParams,
): BatchNorm2dResult {
  const { N, C, H, W, training, eps, momentum, momentumMode } = p;
  const P = H * W;
  const M = N * P;
  const y = r.s.f32(N * C * P);
  const update = training && runningMean !== null && runningVar !== null;
  const newRm = update ? r.s.f32(C) : null;
  const newRv = update ? r.s.f32(C) : null;
  // workspace: float64 stats [2C], then float32 mean, scale, shift [C] each
  const ws = r.ws(C * 16 + C * 12);
  const statsPtr = ws.ptr;
  const meanPtr = ws.ptr + C * 16;
  const scalePtr = meanPtr + C * 4;
  const shiftPtr = scalePtr + C * 4;
  const xp = r.s.ptr(x);
  if (training) r.k.exports.bnStats(xp, N, C, P, 0, C, statsPtr);
  // views after every allocation
  const buf = r.heap.memory.buffer;
  const stats = new Float64Array(buf, statsPtr, 2 * C);
  const mean = new Float32Array(buf, meanPtr, C);
  const scale = new Float32Array(buf, scalePtr, C);
  const shift = new Float32Array(buf, shiftPtr, C);
  const g = gamma ? r.s.fv(gamma) : null;
  const b = beta ? r.s.fv(beta) : null;
  const rm = runningMean ? r.s.fv(runningMean) : null;
  const rv = runningVar ? r.s.fv(runningVar) : null;
  const nrm = newRm ? r.s.fv(newRm) : null;
  const nrv = newRv ? r.s.fv(newRv) : null;
  for (let c = 0; c < C; c++) {
    let mu: number;
    let variance: number;
    if (training) {
      mu = stats[2 * c]!;
      const ss = stats[2 * c + 1]!;
      variance = ss / M;
      if (rm && rv && nrm && nrv) {
        const varU = M > 1 ? ss / (M - 1) : NaN;
        if (momentumMode === 'pytorch') {
          nrm[c] = (1 - momentum) * rm[c]! + momentum * mu;
          nrv[c] = (1 - momentum) * rv[c]! + momentum * varU;
        } else {
          nrm[c] = momentum * rm[c]! + (1 - momentum) * mu;
          nrv[c] = momentum * rv[c]! + (1 - momentum) * variance;
        }
      }
    } else {
      mu = rm![c]!;
      variance = rv![c]!;
    }
    mean[c] = mu;
    scale[c] = (g ? g[c]! : 1) / Math.sqrt(variance + eps);
    shift[c] = b ? b[c]! : 0;
  }
  r.k.exports.bnApply(xp, N, C, P, meanPtr, scalePtr, shiftPtr, 0, C, y.ptr);
  return { y, runningMean: newRm, runningVar: newRv };
}
