import type { DataId, SumToShapeParams } from '@convkit/core';
import { sumToShapeAxis } from '@convkit/backend-js/kernels';
import type { WorkersRuntime } from '../runtime.js';
import { split, type Range } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * The broadcast gradient: y = alpha * x summed down to y's shape. Tasks own contiguous blocks of
 * y, by index along the first axis y keeps (per channel for a bias gradient [N, C, H, W] -> [C, 1, 1]),
 * each summing its own slab of x in the order backend-js's whole kernel does (float64 sums), so
 * the result does not depend on the split; a scaled copy (nothing reduced) splits by element; a sum
 * to one value is one task.
 */
export async function sumToShape(rt: WorkersRuntime, x: DataId, p: SumToShapeParams): Promise<DataId> {
  const y = rt.allocOutput(p.outSize);
  const axis = sumToShapeAxis(p);
  const T = rt.parts(p.size, 1);
  let ranges: Range[];
  let block = 1; // elements of y per index of the split axis
  if (axis === 'copy') ranges = split(p.size, T, 16);
  else if (axis < 0) ranges = [[0, 1]];
  else {
    block = p.strides[axis]!;
    ranges = split(p.shape[axis]!, T);
  }
  const args = { x: rt.get(x), y };
  const tasks: Task[] = ranges.map(([s, e]) => ({
    kernel: 'sumToShape',
    p,
    args,
    outs: { y: axis === 'copy' ? [[s, e]] : axis < 0 ? [[0, p.outSize]] : [[s * block, e * block]] },
    r: [s, e],
  }));
  await rt.execSmall('sumToShape', tasks, [y], p.size);
  return y;
}
