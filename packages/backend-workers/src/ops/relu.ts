import type { DataId } from '@convkit/core';
import type { Host } from '../host.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/** y = max(x, 0) over element ranges. */
export async function relu(h: Host, x: DataId, size: number): Promise<DataId> {
  const y = h.allocOutput(size);
  const args = { x: h.get(x), y };
  const tasks: Task[] = split(size, h.parts(size, 1), 16).map(([a, b]) => ({
    kernel: 'relu',
    p: null,
    args,
    outs: { y: [[a, b]] },
    r: [a, b],
  }));
  await h.exec('relu', tasks, [y]);
  return y;
}
