import type { DataId } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** dx = x > 0 ? dy : 0 (the js kernel on views of the wasm memory). */
export function reluBackward(r: WasmRuntime, x: DataId, dy: DataId, size: number): DataId {
  const dx = r.s.f32(size);
  js.reluBackward(r.s.fv(x), r.s.fv(dy), r.s.fv(dx), 0, size);
  return dx;
}
