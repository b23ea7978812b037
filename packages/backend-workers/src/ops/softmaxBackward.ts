import type { AxisParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { axisTasks } from './softmax.js';

/** dx = y * (dy - sum(dy * y)) along the axis from softmax's output y, by slices along the axis. */
export async function softmaxBackward(rt: WorkersRuntime, y: DataId, dy: DataId, p: AxisParams): Promise<DataId> {
  const size = p.outer * p.len * p.inner;
  const dx = rt.allocOutput(size);
  const args = { y: rt.get(y), dy: rt.get(dy), dx };
  await rt.execSmall('softmaxBackward', axisTasks(rt, 'softmaxBackward', p, args, 'dx', size * 2), [dx], size * 2);
  return dx;
}
