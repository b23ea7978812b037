import type { AxisParams, DataId } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** dx = y * (dy - sum(dy * y)) along the axis (float64 sums): the js kernel on views of the wasm memory. */
export function softmaxBackward(r: WasmRuntime, y: DataId, dy: DataId, p: AxisParams): DataId {
  const dx = r.s.f32(p.outer * p.len * p.inner);
  js.softmaxAxisBackward(p, r.s.fv(y), r.s.fv(dy), r.s.fv(dx), false);
  return dx;
}
