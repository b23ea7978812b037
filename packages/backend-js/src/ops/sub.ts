import type { BroadcastParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { broadcastBinary } from '../primitives/broadcast.js';

export function sub(rt: JsRuntime, a: DataId, b: DataId, p: BroadcastParams): DataId {
  const s = rt.s;
  const y = s.alloc(p.size, 'float32', false);
  broadcastBinary('sub', p, s.f(a), s.f(b), y.values as Float32Array);
  return y;
}
