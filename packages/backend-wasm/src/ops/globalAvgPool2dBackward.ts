import type { DataId, GlobalPool2dParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** dx = dy / (H*W) broadcast over each plane (a fill): the js kernel on views of the wasm memory. */
export function globalAvgPool2dBackward(r: WasmRuntime, dy: DataId, p: GlobalPool2dParams): DataId {
  const dx = r.s.f32(p.N * p.C * p.H * p.W);
  js.globalAvgPool2dBackward(p, r.s.fv(dy), r.s.fv(dx));
  return dx;
}
