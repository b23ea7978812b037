import type { DataId } from '@convkit/core';
import type { Host } from '../host.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** dx = dy where x > 0, else 0, over element ranges. */
export async function reluBackward(h: Host, x: DataId, dy: DataId, size: number): Promise<DataId> {
  const dx = h.allocOutput(size);
  const args = { x: h.get(x), dy: h.get(dy), dx };
  const tasks: Task[] = split(size, h.parts(size, 1), 16).map(([a, b]) => ({
    kernel: 'reluBackward',
    p: null,
    args,
    outs: { dx: [[a, b]] },
    r: [a, b],
  }));
  await h.exec('reluBackward', tasks, [dx]);
  return dx;
}
