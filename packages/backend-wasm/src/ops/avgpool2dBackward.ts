import type { AvgPool2dParams, DataId } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** Average-pooling backward (a scatter-add over overlapping windows): the js kernel on views of the wasm memory. */
export function avgpool2dBackward(r: WasmRuntime, dy: DataId, p: AvgPool2dParams): DataId {
  const dx = r.s.f32(p.N * p.C * p.inH * p.inW);
  const dxv = r.s.fv(dx);
  dxv.fill(0); // windows add into it
  js.avgpool2dBackward(p, r.s.fv(dy), dxv, js.avgpoolDivisors(p));
  return dx;
}
