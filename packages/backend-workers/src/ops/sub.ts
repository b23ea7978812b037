import type { BroadcastParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { broadcastOp } from './add.js';

/** y = a - b, numpy broadcasting, over element ranges. */
export function sub(rt: WorkersRuntime, a: DataId, b: DataId, p: BroadcastParams): Promise<DataId> {
  return broadcastOp(rt, 'sub', a, b, p);
}
