import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { Host } from '../host.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dx[indices[o]] += dy[o]; every index lies in its own plane, so plane ranges never collide. */
export async function maxpool2dBackward(h: Host, dy: DataId, indices: DataId, p: MaxPool2dParams): Promise<DataId> {
  const planes = p.N * p.C;
  const HW = p.inH * p.inW;
  const dx = h.allocOutput(planes * HW);
  const T = h.parts(planes * Math.max(HW, p.outH * p.outW));
  const args = { dy: h.get(dy), indices: h.get(indices), dx };
  const tasks: Task[] = split(planes, T).map(([a, b]) => ({
    kernel: 'maxpool2dBackward',
    p,
    args,
    outs: { dx: [[a * HW, b * HW]] },
    r: [a, b],
  }));
  await h.exec('maxpool2dBackward', tasks, [dx]);
  return dx;
}
