import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** y[n, c] = mean of plane (n, c) (float64 sum); tasks own ranges of (image, channel) planes. */
export async function globalAvgPool2d(rt: WorkersRuntime, x: DataId, p: GlobalPool2dParams): Promise<DataId> {
  const planes = p.N * p.C;
  const work = planes * p.H * p.W;
  const y = rt.allocOutput(planes);
  const args = { x: rt.get(x), y };
  const tasks: Task[] = split(planes, rt.parts(work, 1)).map(([a, b]) => ({
    kernel: 'globalAvgPool2d',
    p,
    args,
    outs: { y: [[a, b]] },
    r: [a, b],
  }));
  await rt.execSmall('globalAvgPool2d', tasks, [y], work);
  return y;
}
