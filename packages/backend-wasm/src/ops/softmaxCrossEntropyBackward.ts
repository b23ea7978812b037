import type { DataId, SoftmaxXentParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** dlogits = (probs - onehot(labels)) / n (the js kernel on views of the wasm memory). */
export function softmaxCrossEntropyBackward(r: WasmRuntime, probs: DataId, labels: DataId, p: SoftmaxXentParams): DataId {
  const d = r.s.f32(p.n * p.classes);
  js.softmaxCrossEntropyBackward(p, r.s.fv(probs), r.s.iv(labels), r.s.fv(d));
  return d;
}
