import type { DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** y = max(x, 0) over element ranges. */
export async function relu(rt: WorkersRuntime, x: DataId, size: number): Promise<DataId> {
  const y = rt.allocOutput(size);
  const args = { x: rt.get(x), y };
  const tasks: Task[] = split(size, rt.parts(size, 1), 16).map(([a, b]) => ({
    kernel: 'relu',
    p: null,
    args,
    outs: { y: [[a, b]] },
    r: [a, b],
  }));
  await rt.exec('relu', tasks, [y]);
  return y;
}
