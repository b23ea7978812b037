import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';

/** y[n, c] = mean of plane (n, c): the wasm `globalAvgPlanes` (f32x4 blocks of 256 summed in float64). */
export function globalAvgPool2d(r: WasmRuntime, x: DataId, p: GlobalPool2dParams): DataId {
  const y = r.s.f32(p.N * p.C);
  r.k.exports.globalAvgPlanes(r.s.ptr(x), p.N * p.C, p.H * p.W, y.ptr);
  return y;
}
