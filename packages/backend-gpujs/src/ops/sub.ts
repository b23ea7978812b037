import type { BroadcastParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { broadcastBinary } from './add.js';

/** y = a - b with numpy broadcasting (add.ts broadcastBinary). */
export function sub(rt: GpujsRuntime, a: DataId, b: DataId, p: BroadcastParams): Promise<DataId> {
  return broadcastBinary(rt, 'sub', a, b, p);
}
