import type { AxisParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { softmaxAxisBackward } from './softmaxBackward.js';

/** dx = dy - exp(y) * sum(dy) along the axis, from logSoftmax's output y (softmaxBackward.ts). */
export function logSoftmaxBackward(rt: GpujsRuntime, y: DataId, dy: DataId, p: AxisParams): Promise<DataId> {
  return softmaxAxisBackward(rt, y, dy, p, true);
}
