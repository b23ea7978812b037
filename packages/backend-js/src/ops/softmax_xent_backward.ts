import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { softmaxCrossEntropyBackward as kernel } from '../kernels/elementwise.js';

export function softmaxCrossEntropyBackward(s: JsStorage, probs: DataId, labels: DataId, p: SoftmaxXentParams): DataId {
  const dx = s.f32(p.n * p.classes);
  kernel(p, s.f(probs), s.i(labels), dx.values as Float32Array, 0, p.n);
  return dx;
}
