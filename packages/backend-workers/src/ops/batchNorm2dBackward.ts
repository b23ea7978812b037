import type { BatchNorm2dBackwardParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * Training-mode gradients by channel: each task owns a range of channels and computes their batch
 * statistics, the float64 sums of dy and dy * x-hat over N, H, W (dbeta, dgamma), then their dx;
 * no sum crosses a task, so the result does not depend on the split.
 */
export async function batchNorm2dBackward(
  rt: WorkersRuntime,
  x: DataId,
  dy: DataId,
  gamma: DataId | null,
  p: BatchNorm2dBackwardParams,
): Promise<{ dx: DataId; dgamma: DataId; dbeta: DataId }> {
  const { N, C } = p;
  const P = p.H * p.W;
  const size = N * C * P;
  const dx = rt.allocOutput(size);
  const dgamma = rt.allocOutput(C);
  const dbeta = rt.allocOutput(C);
  const args = { x: rt.get(x), dy: rt.get(dy), gamma: gamma ? rt.get(gamma) : null, dx, dgamma, dbeta };
  // x is read three times and dy twice
  const work = size * 4;
  const tasks: Task[] = split(C, rt.parts(work, 1)).map(([c0, c1]) => ({
    kernel: 'batchNorm2dBackward',
    p,
    args,
    outs: { dx: segments([N, C, P], [[0, N], [c0, c1]]), dgamma: [[c0, c1]], dbeta: [[c0, c1]] },
    r: [c0, c1],
  }));
  await rt.execSmall('batchNorm2dBackward', tasks, [dx, dgamma, dbeta], work);
  return { dx, dgamma, dbeta };
}
