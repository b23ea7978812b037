import type { BroadcastParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * y = a (op) b with numpy broadcasting (core gives each operand's strides along the result's axes)
 * over ranges of the result's elements: every element is one read of each operand, so any split
 * gives the same bits. Shared by add, sub and mul.
 */
export async function broadcastOp(rt: WorkersRuntime, kernel: 'add' | 'sub' | 'mul', a: DataId, b: DataId, p: BroadcastParams): Promise<DataId> {
  const y = rt.allocOutput(p.size);
  const args = { a: rt.get(a), b: rt.get(b), y };
  const tasks: Task[] = split(p.size, rt.parts(p.size, 1), 16).map(([s, e]) => ({ kernel, p, args, outs: { y: [[s, e]] }, r: [s, e] }));
  await rt.execSmall(kernel, tasks, [y], p.size);
  return y;
}

/** y = a + b, numpy broadcasting, over element ranges. */
export function add(rt: WorkersRuntime, a: DataId, b: DataId, p: BroadcastParams): Promise<DataId> {
  return broadcastOp(rt, 'add', a, b, p);
}
