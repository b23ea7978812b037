import type { AvgPool2dParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * dx += dy / divisor over each window's in-image taps. Windows never leave their plane, so tasks
 * own ranges of (image, channel) planes of dx (each clears its planes first) and the sums into an
 * element run in the same window order whatever the split.
 */
export async function avgpool2dBackward(rt: WorkersRuntime, dy: DataId, p: AvgPool2dParams): Promise<DataId> {
  const planes = p.N * p.C;
  const HW = p.inH * p.inW;
  const work = planes * Math.max(HW, p.outH * p.outW * p.kH * p.kW);
  const dx = rt.allocOutput(planes * HW);
  const args = { dy: rt.get(dy), dx };
  const tasks: Task[] = split(planes, rt.parts(work, 1)).map(([a, b]) => ({
    kernel: 'avgpool2dBackward',
    p,
    args,
    outs: { dx: [[a * HW, b * HW]] },
    r: [a, b],
  }));
  await rt.execSmall('avgpool2dBackward', tasks, [dx], work);
  return dx;
}
