import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/** dlogits = (probs - onehot(labels)) / n. */
export function softmaxCrossEntropyBackward(rt: NaiveRuntime, probs: DataId, labels: DataId, p: SoftmaxXentParams): DataId {
  const P = rt.f(probs);
  const L = rt.i(labels);
  const out = rt.f32(p.n * p.classes);
  for (let r = 0; r < p.n; r++)
    for (let j = 0; j < p.classes; j++) {
      const i = r * p.classes + j;
      out.values[i] = (P[i]! - (j === L[r] ? 1 : 0)) / p.n;
    }
  return out;
}
