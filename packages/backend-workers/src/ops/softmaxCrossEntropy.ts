import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * Row softmax and mean cross-entropy. Each task returns the float64 sum of its rows' losses;
 * the partial sums are added in row order, so the loss does not depend on timing.
 */
export async function softmaxCrossEntropy(
  rt: WorkersRuntime,
  logits: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<{ loss: DataId; probs: DataId }> {
  const probs = rt.allocOutput(p.n * p.classes);
  const loss = rt.allocOutput(1);
  const args = { logits: rt.get(logits), labels: rt.get(labels), probs };
  const tasks: Task[] = split(p.n, rt.parts(p.n * p.classes * 4, 1)).map(([a, b]) => ({
    kernel: 'softmaxCrossEntropy',
    p,
    args,
    outs: { probs: [[a * p.classes, b * p.classes]] },
    r: [a, b],
  }));
  const results = await rt.exec('softmaxCrossEntropy', tasks, [probs, loss]);
  let sum = 0;
  for (const r of results) sum += r.value ?? NaN;
  loss.view[0] = sum / p.n;
  return { loss, probs };
}
