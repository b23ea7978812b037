import type { DataId } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** relu: the js kernel on views of the wasm memory. */
export function relu(r: WasmRuntime, x: DataId, size: number): DataId {
  const y = r.s.f32(size);
  js.relu(r.s.fv(x), r.s.fv(y), 0, size);
  return y;
}
