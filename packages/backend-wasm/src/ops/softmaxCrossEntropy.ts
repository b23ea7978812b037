import type { DataId, SoftmaxXentParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** Row softmax + mean cross-entropy (the js kernel on views of the wasm memory; float64 log-sum-exp). */
export function softmaxCrossEntropy(r: WasmRuntime, logits: DataId, labels: DataId, p: SoftmaxXentParams): { loss: DataId; probs: DataId } {
  const probs = r.s.f32(p.n * p.classes);
  const loss = r.s.f32(1);
  const sum = js.softmaxCrossEntropy(p, r.s.fv(logits), r.s.iv(labels), r.s.fv(probs));
  r.s.fv(loss)[0] = sum / p.n;
  return { loss, probs };
}
