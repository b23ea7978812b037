import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { softmaxCrossEntropy as kernel } from '../primitives/elementwise.js';

export function softmaxCrossEntropy(rt: JsRuntime, logits: DataId, labels: DataId, p: SoftmaxXentParams): { loss: DataId; probs: DataId } {
  const s = rt.s;
  const probs = s.f32(p.n * p.classes);
  const sum = kernel(p, s.f(logits), s.i(labels), probs.values as Float32Array, 0, p.n);
  const loss = s.adopt(Float32Array.of(sum / p.n), 'float32');
  return { loss, probs };
}
