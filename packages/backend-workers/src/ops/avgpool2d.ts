import type { AvgPool2dParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** Average pooling (ceil mode, count-include-pad, dilation); tasks own ranges of (image, channel) planes. */
export async function avgpool2d(rt: WorkersRuntime, x: DataId, p: AvgPool2dParams): Promise<DataId> {
  const planes = p.N * p.C;
  const L = p.outH * p.outW;
  const work = planes * L * p.kH * p.kW;
  const y = rt.allocOutput(planes * L);
  const args = { x: rt.get(x), y };
  const tasks: Task[] = split(planes, rt.parts(work, 1)).map(([a, b]) => ({
    kernel: 'avgpool2d',
    p,
    args,
    outs: { y: [[a * L, b * L]] },
    r: [a, b],
  }));
  await rt.execSmall('avgpool2d', tasks, [y], work);
  return y;
}
