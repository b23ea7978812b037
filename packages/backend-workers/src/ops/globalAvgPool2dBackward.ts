import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dx[n, c, :, :] = dy[n, c] / (H*W); tasks own ranges of (image, channel) planes. */
export async function globalAvgPool2dBackward(rt: WorkersRuntime, dy: DataId, p: GlobalPool2dParams): Promise<DataId> {
  const planes = p.N * p.C;
  const P = p.H * p.W;
  const dx = rt.allocOutput(planes * P);
  const args = { dy: rt.get(dy), dx };
  const tasks: Task[] = split(planes, rt.parts(planes * P, 1)).map(([a, b]) => ({
    kernel: 'globalAvgPool2dBackward',
    p,
    args,
    outs: { dx: [[a * P, b * P]] },
    r: [a, b],
  }));
  await rt.execSmall('globalAvgPool2dBackward', tasks, [dx], planes * P);
  return dx;
}
