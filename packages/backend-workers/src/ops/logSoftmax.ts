import type { AxisParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { axisTasks } from './softmax.js';

/** y = log-softmax(x) along the axis (max subtracted, float64 sums), by slices along the axis. */
export async function logSoftmax(rt: WorkersRuntime, x: DataId, p: AxisParams): Promise<DataId> {
  const size = p.outer * p.len * p.inner;
  const y = rt.allocOutput(size);
  await rt.execSmall('logSoftmax', axisTasks(rt, 'logSoftmax', p, { x: rt.get(x), y }, 'y', size * 4), [y], size * 4);
  return y;
}
