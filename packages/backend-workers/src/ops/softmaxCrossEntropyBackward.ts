import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dlogits = (probs - onehot(labels)) / n over row ranges. */
export async function softmaxCrossEntropyBackward(
  rt: WorkersRuntime,
  probs: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<DataId> {
  const dlogits = rt.allocOutput(p.n * p.classes);
  const args = { probs: rt.get(probs), labels: rt.get(labels), dlogits };
  const tasks: Task[] = split(p.n, rt.parts(p.n * p.classes, 1)).map(([a, b]) => ({
    kernel: 'softmaxCrossEntropyBackward',
    p,
    args,
    outs: { dlogits: [[a * p.classes, b * p.classes]] },
    r: [a, b],
  }));
  await rt.exec('softmaxCrossEntropyBackward', tasks, [dlogits]);
  return dlogits;
}
