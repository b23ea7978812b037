import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dx[indices[o]] += dy[o]; every index lies in its own plane, so plane ranges never collide. */
export async function maxpool2dBackward(rt: WorkersRuntime, dy: DataId, indices: DataId, p: MaxPool2dParams): Promise<DataId> {
  const planes = p.N * p.C;
  const HW = p.inH * p.inW;
  const dx = rt.allocOutput(planes * HW);
  const T = rt.parts(planes * Math.max(HW, p.outH * p.outW));
  const args = { dy: rt.get(dy), indices: rt.get(indices), dx };
  const tasks: Task[] = split(planes, T).map(([a, b]) => ({
    kernel: 'maxpool2dBackward',
    p,
    args,
    outs: { dx: [[a * HW, b * HW]] },
    r: [a, b],
  }));
  await rt.exec('maxpool2dBackward', tasks, [dx]);
  return dx;
}
