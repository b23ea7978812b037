import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/** Row softmax (max subtracted) and the mean of -log p[label] in log-sum-exp form. */
export function softmaxCrossEntropy(
  rt: NaiveRuntime,
  logits: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): { loss: DataId; probs: DataId } {
  const Z = rt.f(logits);
  const L = rt.i(labels);
  const K = p.classes;
  const probs = rt.f32(p.n * K);
  let total = 0;
  for (let r = 0; r < p.n; r++) {
    let mx = -Infinity;
    for (let j = 0; j < K; j++) {
      const v = Z[r * K + j]!;
      if (v > mx || v !== v) mx = v;
    }
    let sum = 0;
    for (let j = 0; j < K; j++) sum += Math.exp(Z[r * K + j]! - mx);
    for (let j = 0; j < K; j++) probs.values[r * K + j] = Math.exp(Z[r * K + j]! - mx) / sum;
    const lab = L[r]!;
    total += lab >= 0 && lab < K ? Math.log(sum) - (Z[r * K + lab]! - mx) : NaN;
  }
  const loss = rt.f32(1);
  loss.values[0] = total / p.n;
  return { loss, probs };
}
