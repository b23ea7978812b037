import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { softmaxCrossEntropy as kernel } from '../kernels/elementwise.js';

export function softmaxCrossEntropy(s: JsStorage, logits: DataId, labels: DataId, p: SoftmaxXentParams): { loss: DataId; probs: DataId } {
  const probs = s.f32(p.n * p.classes);
  const sum = kernel(p, s.f(logits), s.i(labels), probs.values as Float32Array, 0, p.n);
  const loss = s.adopt(Float32Array.of(sum / p.n), 'float32');
  return { loss, probs };
}
