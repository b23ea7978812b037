import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { Host } from '../host.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dlogits = (probs - onehot(labels)) / n over row ranges. */
export async function softmaxCrossEntropyBackward(
  h: Host,
  probs: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<DataId> {
  const dlogits = h.allocOutput(p.n * p.classes);
  const args = { probs: h.get(probs), labels: h.get(labels), dlogits };
  const tasks: Task[] = split(p.n, h.parts(p.n * p.classes, 1)).map(([a, b]) => ({
    kernel: 'softmaxCrossEntropyBackward',
    p,
    args,
    outs: { dlogits: [[a * p.classes, b * p.classes]] },
    r: [a, b],
  }));
  await h.exec('softmaxCrossEntropyBackward', tasks, [dlogits]);
  return dlogits;
}
