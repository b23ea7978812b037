import type { AxisParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { softmaxAxis } from './softmax.js';

/** Log-softmax along an axis (softmax.ts softmaxAxis): x - max - log(sum exp(x - max)). */
export function logSoftmax(rt: GpujsRuntime, x: DataId, p: AxisParams): Promise<DataId> {
  return softmaxAxis(rt, x, p, true);
}
