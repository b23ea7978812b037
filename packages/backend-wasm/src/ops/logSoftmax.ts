import type { AxisParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';

/** logSoftmax along the axis of x [outer, len, inner]: the wasm `softmaxAxis` (f32x4 across the row or 4 adjacent slices, polynomial exp). */
export function logSoftmax(r: WasmRuntime, x: DataId, p: AxisParams): DataId {
  const y = r.s.f32(p.outer * p.len * p.inner);
  r.k.exports.softmaxAxis(r.s.ptr(x), p.outer, p.len, p.inner, y.ptr, 1);
  return y;
}
