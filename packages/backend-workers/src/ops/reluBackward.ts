import type { DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dx = dy where x > 0, else 0, over element ranges. */
export async function reluBackward(rt: WorkersRuntime, x: DataId, dy: DataId, size: number): Promise<DataId> {
  const dx = rt.allocOutput(size);
  const args = { x: rt.get(x), dy: rt.get(dy), dx };
  const tasks: Task[] = split(size, rt.parts(size, 1), 16).map(([a, b]) => ({
    kernel: 'reluBackward',
    p: null,
    args,
    outs: { dx: [[a, b]] },
    r: [a, b],
  }));
  await rt.exec('reluBackward', tasks, [dx]);
  return dx;
}
