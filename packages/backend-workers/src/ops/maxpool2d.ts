import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** y and int32 argmax indices; tasks own ranges of (image, channel) planes. */
export async function maxpool2d(rt: WorkersRuntime, x: DataId, p: MaxPool2dParams): Promise<{ y: DataId; indices: DataId }> {
  const planes = p.N * p.C;
  const L = p.outH * p.outW;
  const y = rt.allocOutput(planes * L);
  const indices = rt.allocOutput(planes * L, 'int32');
  const T = rt.parts(planes * L * p.kH * p.kW);
  const args = { x: rt.get(x), y, indices };
  const tasks: Task[] = split(planes, T).map(([a, b]) => ({
    kernel: 'maxpool2d',
    p,
    args,
    outs: { y: [[a * L, b * L]], indices: [[a * L, b * L]] },
    r: [a, b],
  }));
  await rt.exec('maxpool2d', tasks, [y, indices]);
  return { y, indices };
}
