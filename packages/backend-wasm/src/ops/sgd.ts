import type { DataId, SgdParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** SGD (memory-bound elementwise): the js kernel on views of the wasm memory, in place. */
export function sgd(r: WasmRuntime, w: DataId, g: DataId, v: DataId, p: SgdParams): void {
  js.sgd(p, r.s.fv(w), r.s.fv(g), r.s.fv(v));
}
