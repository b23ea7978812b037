import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { Host } from '../host.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * Row softmax and mean cross-entropy. Each task returns the float64 sum of its rows' losses;
 * the partial sums are added in row order, so the loss does not depend on timing.
 */
export async function softmaxCrossEntropy(
  h: Host,
  logits: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<{ loss: DataId; probs: DataId }> {
  const probs = h.allocOutput(p.n * p.classes);
  const loss = h.allocOutput(1);
  const args = { logits: h.get(logits), labels: h.get(labels), probs };
  const tasks: Task[] = split(p.n, h.parts(p.n * p.classes * 4, 1)).map(([a, b]) => ({
    kernel: 'softmaxCrossEntropy',
    p,
    args,
    outs: { probs: [[a * p.classes, b * p.classes]] },
    r: [a, b],
  }));
  const results = await h.exec('softmaxCrossEntropy', tasks, [probs, loss]);
  let sum = 0;
  for (const r of results) sum += r.value ?? NaN;
  loss.view[0] = sum / p.n;
  return { loss, probs };
}
