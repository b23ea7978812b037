import type { AxisParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';

/** dx = dy - exp(y) * sum(dy) along the axis, from the forward's output y: the wasm `softmaxAxisBackward` (f32x4, sums in blocks of 256 into float64). */
export function logSoftmaxBackward(r: WasmRuntime, y: DataId, dy: DataId, p: AxisParams): DataId {
  const dx = r.s.f32(p.outer * p.len * p.inner);
  r.k.exports.softmaxAxisBackward(r.s.ptr(y), r.s.ptr(dy), p.outer, p.len, p.inner, dx.ptr, 1);
  return dx;
}
