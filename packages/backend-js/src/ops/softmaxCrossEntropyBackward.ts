import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { softmaxCrossEntropyBackward as kernel } from '../primitives/elementwise.js';

export function softmaxCrossEntropyBackward(rt: JsRuntime, probs: DataId, labels: DataId, p: SoftmaxXentParams): DataId {
  const s = rt.s;
  const dx = s.f32(p.n * p.classes);
  kernel(p, s.f(probs), s.i(labels), dx.values as Float32Array, 0, p.n);
  return dx;
}
