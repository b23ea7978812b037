import type { DataId, SumToShapeParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** The broadcast gradient (a scatter-reduction, float64 sums): the js kernel on views of the wasm memory. */
export function sumToShape(r: WasmRuntime, x: DataId, p: SumToShapeParams): DataId {
  const y = r.s.f32(p.outSize);
  js.sumToShape(p, r.s.fv(x), r.s.fv(y));
  return y;
}
